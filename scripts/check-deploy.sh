#!/usr/bin/env bash
# Static checks of the deployment files (no Docker engine or cluster needed):
#   - Dockerfile: compose build targets are stages, the files it copies exist and are in the context
#   - docker-compose.yml and docker-compose.test.yml validate (docker-compose v1 and/or `docker compose` v2)
#   - every kustomize overlay under deploy/overlays renders (kubectl kustomize, or kustomize build)
#   - each overlay's output has a Deployment, Service and HorizontalPodAutoscaler for every service
#     (and the gateway), probes on /api/<prefix>/health and a migrate initContainer per service
#   - deploy/nginx/nginx.conf passes `nginx -t` (upstream hosts mapped to 127.0.0.1)
# A tool that is not on PATH is reported as "skipped: <tool> not installed". Exit status is non-zero
# if any check failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2

SERVICES=(catalog ingest sharing open-api audit)
declare -A PREFIX=([catalog]=catalog [ingest]=ingest [sharing]=sharing [open-api]=open [audit]=audit)
COMPOSE_FILES=(docker-compose.yml docker-compose.test.yml)

failures=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
skip() { echo "skipped: $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --- Dockerfile (static: no engine here) ------------------------------------------------------
# compose build targets exist as stages; files the build copies exist and are not .dockerignore'd.
for f in "${COMPOSE_FILES[@]}"; do
  for target in $(awk '/^ *target: /{print $2}' "$f"); do
    if grep -Eq "^FROM .* AS ${target}\$" Dockerfile; then pass "$f: build target '$target' is a Dockerfile stage"
    else fail "$f: build target '$target' is not a stage of Dockerfile"; fi
  done
done
for p in deploy/nginx/nginx.conf deploy/nginx/html/index.html deploy/docker/stage-runtime.sh deploy/docker/verify-workspaces.js; do
  [ -f "$p" ] || fail "missing $p (used by the Dockerfile)"
done
for p in '!deploy/nginx' '!deploy/docker'; do
  grep -qxF "$p" .dockerignore || fail ".dockerignore must keep $p in the build context"
done
if sh -n deploy/docker/stage-runtime.sh; then pass "sh -n deploy/docker/stage-runtime.sh"
else fail "sh -n deploy/docker/stage-runtime.sh"; fi
if have node; then
  if node --check deploy/docker/verify-workspaces.js; then pass "node --check deploy/docker/verify-workspaces.js"
  else fail "node --check deploy/docker/verify-workspaces.js"; fi
else
  skip "node not installed"
fi

# --- compose -----------------------------------------------------------------------------------
if have docker-compose; then
  for f in "${COMPOSE_FILES[@]}"; do
    if out="$(docker-compose -f "$f" config -q 2>&1)"; then pass "docker-compose -f $f config -q"
    else fail "docker-compose -f $f config -q"; echo "$out" | sed 's/^/    /'; fi
  done
else
  skip "docker-compose not installed"
fi

if have docker && docker compose version >/dev/null 2>&1; then
  for f in "${COMPOSE_FILES[@]}"; do
    if out="$(docker compose -f "$f" config -q 2>&1)"; then pass "docker compose -f $f config -q"
    else fail "docker compose -f $f config -q"; echo "$out" | sed 's/^/    /'; fi
  done
else
  skip "docker compose (v2 plugin) not installed"
fi

# --- kustomize ---------------------------------------------------------------------------------
render=""
if have kubectl; then render="kubectl kustomize"
elif have kustomize; then render="kustomize build"
fi

# "Kind name" for each document of a rendered manifest stream (metadata.name only).
objects() {
  awk '
    /^---/            { kind = ""; inmeta = 0; next }
    /^kind: /         { kind = $2 }
    /^metadata:/      { inmeta = 1; next }
    /^[^ #]/          { inmeta = 0 }
    inmeta && /^  name: / { print kind, $2 }
  ' "$1"
}

overlays=(deploy/overlays/*/)
if [ -z "$render" ]; then
  skip "kubectl not installed (nor kustomize)"
elif [ ! -d "${overlays[0]}" ]; then
  fail "no overlays under deploy/overlays"
else
  for dir in "${overlays[@]}"; do
    overlay="${dir%/}"
    name="$(basename "$overlay")"
    manifest="$tmp/$name.yaml"
    if ! $render "$overlay" >"$manifest" 2>"$tmp/$name.err"; then
      fail "$render $overlay"; sed 's/^/    /' "$tmp/$name.err"; continue
    fi
    pass "$render $overlay ($(grep -c '^kind: ' "$manifest") objects)"
    objects "$manifest" >"$tmp/$name.objects"
    missing=()
    for svc in "${SERVICES[@]}" gateway; do
      for kind in Deployment Service HorizontalPodAutoscaler; do
        grep -qx "$kind $svc" "$tmp/$name.objects" || missing+=("$kind/$svc")
      done
    done
    for svc in "${SERVICES[@]}"; do
      grep -q "path: /api/${PREFIX[$svc]}/health" "$manifest" || missing+=("probe /api/${PREFIX[$svc]}/health")
      grep -q "dist/services/$svc/migrate.js" "$manifest" || missing+=("initContainer migrate.js of $svc")
      grep -q "dist/services/$svc/main.js" "$manifest" || missing+=("command main.js of $svc")
    done
    for obj in "Namespace govdata" "ConfigMap platform-config-" "ConfigMap gateway-nginx-"; do
      grep -q "^$obj" "$tmp/$name.objects" || missing+=("$obj")
    done
    if [ ${#missing[@]} -eq 0 ]; then
      pass "$overlay: Deployment, Service and HPA for ${SERVICES[*]} gateway; probes, migrate initContainers"
    else
      fail "$overlay: missing ${missing[*]}"
    fi
  done
fi

# --- nginx -------------------------------------------------------------------------------------
if have nginx; then
  mkdir -p "$tmp/nginx"
  sed -E 's/server (catalog|ingest|sharing|open-api|audit):3000/server 127.0.0.1:3000/' \
    deploy/nginx/nginx.conf >"$tmp/nginx/nginx.conf"
  if out="$(nginx -t -q -e stderr -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" 2>&1)"; then pass "nginx -t deploy/nginx/nginx.conf"
  else fail "nginx -t deploy/nginx/nginx.conf"; echo "$out" | sed 's/^/    /'; fi
else
  skip "nginx not installed"
fi

if [ "$failures" -gt 0 ]; then
  echo "check-deploy: $failures check(s) failed"
  exit 1
fi
echo "check-deploy: all checks passed"
