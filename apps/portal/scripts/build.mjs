#!/usr/bin/env node
/**
 * Builds the portal (vite) and type-checks it (tsc --noEmit), in parallel. `npm run build` at the
 * root calls this on every `npm start` and `npm test`, so it skips both when nothing the bundle is
 * made from changed since the last build (a hash of the inputs is kept in dist/.build-stamp).
 * --force rebuilds anyway.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = join(root, '../..');
const dist = join(root, 'dist');
const stampFile = join(dist, '.build-stamp');
const force = process.argv.includes('--force');

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

function inputsHash() {
  const h = createHash('sha256');
  const inputs = [
    ...files(join(root, 'src')),
    ...files(join(root, 'public')),
    join(root, 'index.html'),
    join(root, 'vite.config.ts'),
    join(root, 'tsconfig.json'),
    join(root, 'package.json'),
    // Imported by the bundle through the @standard alias.
    ...files(join(repo, 'libs/shared/src/standard')).filter((f) => !f.endsWith('.spec.ts')),
    join(repo, 'package-lock.json'),
  ].sort();
  for (const f of inputs) h.update(relative(repo, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

const hash = inputsHash();
if (!force && existsSync(join(dist, 'index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) {
  console.log('portal: up to date (apps/portal/dist)');
  process.exit(0);
}

const started = Date.now();
const bin = (name) => join(repo, 'node_modules/.bin', name);
try {
  await Promise.all([run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']), run(bin('vite'), ['build', '--logLevel', 'warn'])]);
} catch (e) {
  console.error(`portal: build failed: ${e.message}`);
  process.exit(1);
}
writeFileSync(stampFile, hash);
const size = statSync(join(dist, 'index.html')).size;
console.log(`portal: built apps/portal/dist in ${((Date.now() - started) / 1000).toFixed(1)}s (index.html ${size} B); npm run portal:size for the bundle size`);
