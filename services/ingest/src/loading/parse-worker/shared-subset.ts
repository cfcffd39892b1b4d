/**
 * Imported first by the worker entry: puts in place of `@gov/shared` (whose index loads Nest,
 * TypeORM, the event transports… about 45 MB in a fresh thread) just the parts the parsers,
 * validators, quality report and sensitive-data scan use (about 8 MB). Any later
 * `require('@gov/shared')` in the worker finds this object in the module cache. When the parts
 * cannot be found (an unusual layout), nothing is replaced and the full index loads.
 */
import Module = require('node:module');
import { dirname, join } from 'node:path';

const PARTS = ['standard/index', 'xlsx/index', 'datasets/snapshot', 'security/sensitive-content'];

function resolvable(path: string): boolean {
  try {
    require.resolve(path);
    return true;
  } catch {
    return false;
  }
}

const index = require.resolve('@gov/shared');
// From source the alias points at libs/shared/src/index.ts; built, at the libs/shared/index.js shim for dist/libs/shared.
const dir = [dirname(index), join(dirname(index), '../../dist/libs/shared')].find((d) => PARTS.every((p) => resolvable(join(d, p))));
if (dir && !require.cache[index]) {
  const subset = new Module(index);
  subset.filename = index;
  subset.loaded = true;
  subset.exports = Object.assign({}, ...PARTS.map((p) => require(join(dir, p))));
  require.cache[index] = subset;
}
