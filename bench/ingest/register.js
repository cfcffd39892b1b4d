/**
 * bench/catalog/register.js's approach (a require hook for .ts files that transpiles each file on
 * its own, as ts-jest with isolatedModules does, plus the @gov/* path aliases of
 * tsconfig.base.json, with the output cached under the OS temp directory) with two changes that
 * matter for a benchmark that reports the RSS of its own process:
 *
 * - the TypeScript compiler (~46 MB of RSS once loaded) is only required on a cache miss: the key
 *   is built from typescript's version, tsconfig.base.json and this file, not from the compiler;
 * - no inline source maps unless BENCH_SOURCE_MAPS=1 (with --enable-source-maps, Node keeps the
 *   maps of every loaded module in memory). transpileModule keeps statements on their lines, so
 *   stack traces still point close to the source.
 *
 * `node bench/ingest/register.js --warm <file.ts>` loads the file's imports (without running its
 * main) in a throwaway process, so that the measured run finds everything in the cache.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const Module = require('node:module');

const root = path.resolve(__dirname, '../..');
const sourceMaps = process.env.BENCH_SOURCE_MAPS === '1';
const tsVersion = JSON.parse(fs.readFileSync(require.resolve('typescript/package.json', { paths: [root] }), 'utf8')).version;
const baseText = fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8');
const version = crypto.createHash('sha1').update(`${tsVersion}\0${sourceMaps}\0`).update(baseText).update(fs.readFileSync(__filename)).digest('hex');

let compiler;
/** The compiler and options, loaded on the first cache miss only. */
function ts() {
  if (compiler) return compiler;
  const typescript = require('typescript');
  const base = typescript.parseConfigFileTextToJson(path.join(root, 'tsconfig.base.json'), baseText);
  if (base.error) throw new Error(typescript.flattenDiagnosticMessageText(base.error.messageText, '\n'));
  const { options } = typescript.convertCompilerOptionsFromJson(base.config.compilerOptions, root);
  compiler = {
    typescript,
    compilerOptions: {
      ...options,
      module: typescript.ModuleKind.CommonJS,
      declaration: false,
      composite: false,
      sourceMap: false,
      inlineSourceMap: sourceMaps,
      inlineSources: false,
      isolatedModules: true,
      noEmit: false,
    },
  };
  return compiler;
}

// The @gov/* aliases, read without the compiler (tsconfig.base.json is JSON with comments at most).
const aliases = new Map();
const paths = (() => {
  try {
    return JSON.parse(baseText.replace(/^\s*\/\/.*$/gm, '')).compilerOptions.paths ?? {};
  } catch {
    return ts().typescript.parseConfigFileTextToJson('tsconfig.base.json', baseText).config.compilerOptions.paths ?? {};
  }
})();
for (const [name, targets] of Object.entries(paths)) aliases.set(name, path.join(root, targets[0]));

// BENCH_INGEST_SRC: a copy of services/ingest/src with a proposed change, loaded instead of the
// tree's own files (the platform's @gov/ingest and the bench's direct imports alike), so a change
// can be measured by the same bench without touching the work tree.
const ingestSrc = path.join(root, 'services', 'ingest', 'src');
const variantSrc = process.env.BENCH_INGEST_SRC ? path.resolve(process.env.BENCH_INGEST_SRC) : undefined;
if (variantSrc && !fs.existsSync(path.join(variantSrc, 'index.ts'))) throw new Error(`BENCH_INGEST_SRC=${variantSrc} is not a copy of services/ingest/src (no index.ts)`);
function toVariant(file) {
  if (!variantSrc || !file.startsWith(ingestSrc + path.sep)) return file;
  const candidate = path.join(variantSrc, path.relative(ingestSrc, file));
  return fs.existsSync(candidate) ? candidate : file;
}
exports.variantSrc = variantSrc;

const rootModule = new Module(path.join(root, 'package.json'));
rootModule.paths = Module._nodeModulePaths(root);
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const target = aliases.get(request) ?? request;
  try {
    return toVariant(resolveFilename.call(this, target, parent, ...rest));
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND' || target.startsWith('.') || path.isAbsolute(target)) throw err;
    return resolveFilename.call(this, target, rootModule, ...rest);
  }
};

const cacheDir = path.join(os.tmpdir(), 'govdata-bench-ingest-ts-cache');
fs.mkdirSync(cacheDir, { recursive: true });
let misses = 0;

/** The transpiled text of a .ts file, from the cache or compiled into it. */
function transpiled(filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha1').update(version).update(filename).update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    misses++;
    const { typescript, compilerOptions } = ts();
    const output = typescript.transpileModule(source, { fileName: filename, compilerOptions, reportDiagnostics: false }).outputText;
    fs.writeFileSync(cached, output);
    return output;
  }
}

require.extensions['.ts'] = function (module, filename) {
  module._compile(transpiled(filename), filename);
};

/** Files transpiled in this process (0: the compiler was never loaded). */
exports.cacheMisses = () => misses;

if (require.main === module && process.argv[2] === '--warm') {
  const started = Date.now();
  for (const file of process.argv.slice(3)) require(path.resolve(file));
  // The ingest parse worker's own files: the worker requires them in its thread, not this one.
  const workerEntry = toVariant(path.join(ingestSrc, 'loading', 'parse-worker', 'worker-main.ts'));
  if (fs.existsSync(workerEntry)) for (const name of fs.readdirSync(path.dirname(workerEntry))) if (/(?<!\.spec)\.ts$/.test(name)) transpiled(path.join(path.dirname(workerEntry), name));
  process.stdout.write(`[bench] TypeScript cache warm: ${misses} file(s) transpiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
