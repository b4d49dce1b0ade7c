# One image per app: docker build --build-arg APP=<app> -t airport-mesh/<app>:0.1.0 .
# (or `make images`). APP is one of camera-agent, collector, image-analysis, face-recognition, alerts,
# section, cpanel. Multi-stage: the full workspace builds with Nx; the image gets only the app's own
# runtime dependencies (`npm ci --omit=dev --workspace=apps/<APP>`: each workspace declares what it
# imports at run time), the built libraries, the app and (for the two analysers) the ONNX models, on a
# distroless Node 24 base that has no shell, runs as UID 10001 (not 1337, Istio's proxy UID) and has no
# HEALTHCHECK: Kubernetes probes /health/live and /health/ready (deploy/base).
#
# Layer caching: the package manifests and the lock file are copied before the sources, so a source
# change rebuilds the app but reinstalls nothing.

ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

# ---- manifests: every package.json, the lock file and .npmrc, nothing else. This stage reruns on any
# change, but its output only changes when a manifest does, and the stages below copy its output.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN tools/scripts/app-image.sh manifests /src /manifests

# ---- deps: every dependency (dev included), for the build. Install scripts are not needed (the
# project allows none; onnxruntime-node and sharp ship their binaries in their packages).
FROM ${NODE_IMAGE} AS deps
ENV NX_DAEMON=false NX_NO_CLOUD=true CI=true
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# ---- runtime-deps: only what the app and the libraries it uses import at run time
FROM ${NODE_IMAGE} AS runtime-deps
ARG APP
RUN test -n "$APP" || { echo 'build with --build-arg APP=<app>' >&2; exit 1; }
WORKDIR /src
COPY --from=manifests /manifests/ ./
COPY tools/scripts/app-image.sh /usr/local/bin/app-image.sh
RUN app-image.sh install /src "$APP"

# ---- build: `nx run <app>:build` (its libraries first); the vision models for the two analysers
FROM deps AS build
ARG APP
COPY . .
RUN npx nx run "${APP}:build" --output-style=static
RUN if [ "$APP" = image-analysis ] || [ "$APP" = face-recognition ]; then \
      npx nx run model-build:build --output-style=static; \
    fi

# ---- assemble /out: the pruned node_modules (its @airport-mesh/* entries are links to the libraries'
# folders), each library the app needs with its dist, the app, the models. /out/app is a symlink to
# apps/<APP>: a fixed name, so that CMD needs no shell to expand $APP.
FROM runtime-deps AS assemble
ARG APP
COPY --from=build /src /build
RUN app-image.sh assemble /src /build /out "$APP"

# ---- runtime: no shell, no package manager, non-root
FROM ${RUNTIME_IMAGE}
ARG APP
LABEL org.opencontainers.image.title="airport-mesh/${APP}" \
      org.opencontainers.image.source="https://github.com/airport-mesh/airport-mesh" \
      org.opencontainers.image.licenses="MIT"
WORKDIR /app
COPY --from=assemble /out/ /app/
ENV NODE_ENV=production PORT=8080 HOST=0.0.0.0 MALLOC_ARENA_MAX=2
USER 10001:10001
EXPOSE 8080
# distroless/nodejs: the entrypoint is node; /app/app → apps/<APP>, so this runs apps/<APP>/dist/main.js with
# the same Node flags as the local stack (tools/local-stack/src/services.ts NODE_FLAGS)
CMD ["--max-semi-space-size=2", "app/dist/main.js"]
