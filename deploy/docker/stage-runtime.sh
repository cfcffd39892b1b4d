#!/bin/sh
# Used by the Dockerfile (stage "builder", after `npm run build` and `npm prune --omit=dev`):
# copies into $1 exactly what the service image needs, keeping the repository layout so that the
# npm workspace symlinks (node_modules/@gov/* -> ../../libs/shared, ../../services/...) resolve:
#   - package.json, node_modules (production only), dist
#   - per workspace (libs/*, services/*, apps/*): package.json, root-level *.js/*.cjs/*.mjs entry
#     files, and node_modules if npm nested packages there
#   - non-TypeScript assets under src/ that tsc does not emit (*.sql), at their source path
# then checks with verify-workspaces.js that the workspace packages resolve from the staged tree.
set -eu
out="${1:?usage: stage-runtime.sh <output-dir>}"
here="$(cd "$(dirname "$0")" && pwd)"

mkdir -p "$out"
cp -a package.json node_modules dist "$out/"
for ws in libs/* services/* apps/*; do
  [ -f "$ws/package.json" ] || continue
  mkdir -p "$out/$ws"
  cp -a "$ws/package.json" "$out/$ws/"
  for f in "$ws"/*.js "$ws"/*.cjs "$ws"/*.mjs; do
    if [ -f "$f" ]; then cp -a "$f" "$out/$ws/"; fi
  done
  if [ -d "$ws/node_modules" ]; then cp -a "$ws/node_modules" "$out/$ws/"; fi
done
find libs services apps -path '*/node_modules' -prune -o -path '*/src/*' -type f -name '*.sql' -print \
  | xargs -r cp --parents -t "$out"

cd "$out"
node "$here/verify-workspaces.js" libs/* services/* apps/*
