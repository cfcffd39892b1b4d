/**
 * Runs the benchmark's TypeScript straight from source, the way the jest projects do
 * (ts-jest with isolatedModules = typescript.transpileModule per file), without a build step:
 * a require hook for .ts files plus the @gov/* path aliases of tsconfig.base.json.
 * Compiled files are cached under the OS temp directory, keyed by content.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const Module = require('node:module');
const ts = require('typescript');

const root = path.resolve(__dirname, '../..');
const base = ts.readConfigFile(path.join(root, 'tsconfig.base.json'), ts.sys.readFile);
if (base.error) throw new Error(ts.flattenDiagnosticMessageText(base.error.messageText, '\n'));
const { options } = ts.convertCompilerOptionsFromJson(base.config.compilerOptions, root);
const compilerOptions = {
  ...options,
  module: ts.ModuleKind.CommonJS,
  declaration: false,
  composite: false,
  sourceMap: false,
  inlineSourceMap: true,
  inlineSources: false,
  isolatedModules: true,
  noEmit: false,
};

const aliases = new Map();
for (const [name, targets] of Object.entries(base.config.compilerOptions.paths ?? {})) aliases.set(name, path.join(root, targets[0]));

// Packages resolve from the repository too, so a variant file outside it (BENCH_SEARCH_SERVICE) loads.
const rootModule = new Module(path.join(root, 'package.json'));
rootModule.paths = Module._nodeModulePaths(root);
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const target = aliases.get(request) ?? request;
  try {
    return resolveFilename.call(this, target, parent, ...rest);
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND' || target.startsWith('.') || path.isAbsolute(target)) throw err;
    return resolveFilename.call(this, target, rootModule, ...rest);
  }
};

const cacheDir = path.join(os.tmpdir(), 'govdata-bench-ts-cache');
fs.mkdirSync(cacheDir, { recursive: true });
const version = `${ts.version}:${JSON.stringify(compilerOptions)}`;

require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha1').update(version).update(filename).update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    output = ts.transpileModule(source, { fileName: filename, compilerOptions, reportDiagnostics: false }).outputText;
    fs.writeFileSync(cached, output);
  }
  module._compile(output, filename);
};
