# One image per app: docker build --build-arg APP=<app> -t airport-mesh/<app>:0.1.0 .
# (or `make images`). APP is one of camera-agent, collector, image-analysis, face-recognition, alerts,
# section, cpanel. Multi-stage: the full workspace builds with Nx, then only production dependencies,
# the built libraries, the app and (for the two analysers) the ONNX models go into a distroless Node 24
# image that has no shell, runs as UID 10001 (not 1337, Istio's proxy UID) and has no HEALTHCHECK:
# Kubernetes probes /health/live and /health/ready (deploy/base).

ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

# ---- build: every dependency, then `nx run <app>:build` (its libraries and generated clients first)
FROM ${NODE_IMAGE} AS build
ARG APP
RUN test -n "$APP" || { echo 'build with --build-arg APP=<app>' >&2; exit 1; }
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true CI=true
WORKDIR /src
COPY . .
# Install scripts are not needed (the project allows none it depends on; onnxruntime-node ships its binary).
RUN npm ci --ignore-scripts --no-audit --no-fund
RUN npx nx run ${APP}:build --output-style=static
# The vision models: built from npm-shipped TF.js graph models into tools/model-build/dist/models.
RUN mkdir -p /out/tools/model-build/dist \
 && if [ "$APP" = image-analysis ] || [ "$APP" = face-recognition ]; then \
      npx nx run model-build:build --output-style=static \
      && cp -r tools/model-build/dist/models /out/tools/model-build/dist/models; \
    fi

# ---- prod: production dependencies only, and the runtime tree assembled under /out
# (/out/app is a symlink to apps/<APP>: a fixed name, so that CMD needs no shell to expand $APP)
FROM build AS prod
ARG APP
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
RUN mkdir -p /out/apps/${APP} \
 && cp package.json /out/ \
 && cp -a node_modules /out/node_modules \
 && for lib in libs/*/ libs/clients/*/; do \
      [ -f "$lib/package.json" ] || continue; \
      mkdir -p "/out/$lib" && cp "$lib/package.json" "/out/$lib"; \
      if [ -d "$lib/dist" ]; then cp -a "$lib/dist" "/out/$lib/dist"; fi; \
    done \
 && cp apps/${APP}/package.json /out/apps/${APP}/ \
 && cp -a apps/${APP}/dist /out/apps/${APP}/dist \
 && ln -s apps/${APP} /out/app

# ---- runtime: no shell, no package manager, non-root
FROM ${RUNTIME_IMAGE}
ARG APP
LABEL org.opencontainers.image.title="airport-mesh/${APP}" \
      org.opencontainers.image.source="https://github.com/airport-mesh/airport-mesh" \
      org.opencontainers.image.licenses="MIT"
WORKDIR /app
COPY --from=prod /out/ /app/
ENV NODE_ENV=production PORT=8080 HOST=0.0.0.0
USER 10001:10001
EXPOSE 8080
# distroless/nodejs: the entrypoint is node; /app/app → apps/<APP>, so this runs apps/<APP>/dist/main.js
CMD ["app/dist/main.js"]
