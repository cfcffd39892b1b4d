// Runtime entry of the workspace package: the compiled output lives in the repo's dist/ (npm run build).
module.exports = require('../../dist/libs/shared/index.js');
