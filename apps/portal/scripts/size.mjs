#!/usr/bin/env node
/**
 * Prints the gzipped size of the portal's main bundle: the entry chunk, every chunk it imports
 * statically (what the browser must load before the first page renders) and their CSS. Lazy
 * chunks (consoles, pages, ECharts) are listed separately. Reads vite's manifest.
 * --max-kb=N exits non-zero when the main bundle is larger than N KB gzipped.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist');
let manifest;
try {
  manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'));
} catch {
  console.error('apps/portal/dist/.vite/manifest.json missing: run npm run build first');
  process.exit(1);
}

const gz = (file) => {
  const buf = readFileSync(join(dist, file));
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const main = new Set();
const walk = (key) => {
  const chunk = manifest[key];
  if (!chunk || main.has(chunk.file)) return;
  main.add(chunk.file);
  for (const css of chunk.css ?? []) main.add(css);
  for (const dep of chunk.imports ?? []) walk(dep);
};
walk(entryKey);

let raw = 0;
let gzip = 0;
for (const f of main) {
  const s = gz(f);
  raw += s.raw;
  gzip += s.gzip;
}
const lazy = Object.values(manifest)
  .filter((c) => c.isDynamicEntry && !main.has(c.file))
  .map((c) => ({ name: c.name ?? c.src, ...gz(c.file) }))
  .sort((a, b) => b.gzip - a.gzip);

console.log(`main bundle (entry + static imports, ${main.size} files): ${kb(raw)} raw, ${kb(gzip)} gzipped`);
console.log('lazy chunks (gzipped, own code only):');
for (const c of lazy) console.log(`  ${c.name.padEnd(24)} ${kb(c.gzip)}`);

const max = process.argv.find((a) => a.startsWith('--max-kb='));
if (max && gzip / 1024 > Number(max.split('=')[1])) {
  console.error(`main bundle ${kb(gzip)} gzipped exceeds ${max.split('=')[1]} KB`);
  process.exit(1);
}
