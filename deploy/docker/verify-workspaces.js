// Run by stage-runtime.sh inside the staged runtime tree: every workspace package that declares an
// entry point ("main"/"exports") must resolve through node_modules the way the services load it at
// run time (require('@gov/shared')). Node resolves "main" relative to the symlink's location
// (node_modules/@gov/<pkg>), not the workspace folder it points to, so a main like
// "../../dist/libs/shared/index.js" does not resolve there; an in-package entry file (e.g.
// libs/shared/index.js re-exporting ../../dist/libs/shared) or a main inside the package does.
// @gov/shared is required by every service: failing to resolve it fails the image build.
// Other packages only warn (the distributed services do not load them through node_modules).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const REQUIRED = new Set(['@gov/shared']);
let failed = false;
for (const ws of process.argv.slice(2)) {
  const file = path.join(ws, 'package.json');
  if (!fs.existsSync(file)) continue;
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!pkg.name || (pkg.main === undefined && pkg.exports === undefined)) continue;
  try {
    const resolved = require.resolve(pkg.name, { paths: [process.cwd()] });
    console.log(`ok: ${pkg.name} -> ${path.relative(process.cwd(), resolved)}`);
  } catch (err) {
    const hard = REQUIRED.has(pkg.name);
    console.error(`${hard ? 'ERROR' : 'WARNING'}: ${pkg.name} (${ws}, main ${JSON.stringify(pkg.main)}) does not resolve ` +
      `through node_modules: ${String(err.message).split('\n')[0]}`);
    if (hard) failed = true;
  }
}
process.exit(failed ? 1 : 0);
