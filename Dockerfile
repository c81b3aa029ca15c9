# syntax=docker/dockerfile:1.7
# One image for the gateway and all seven subgraphs; the service is chosen by the command:
#   gateway:   node --initial-old-space-size=256 dist/gateway/src/main.js   (the default CMD)
#   subgraph:  node dist/subgraphs/<name>/src/main.js   (identity, apps, models, inference, synthetic, catalog, schemas;
#              inference with the gateway's heap flag: SERVICES.*.nodeFlags in lib/contracts/services.ts)
# Runs as uid 1000 with a read-only root filesystem: the only writable paths are /tmp and
# AIC_DATA_DIR (/var/lib/aic), which Kubernetes mounts as volumes.
# Node 24 (LTS). .ci/run runs the test suite on this same release (read from this line), and
# test/k8s/manifests.e2e.ts keeps both Dockerfiles on one release.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# tsc is a devDependency: compile with the full dependency tree.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
# The services only (tsconfig.image.json): scripts/ are the local `npm start` and tools, not in the context.
COPY tsconfig.json tsconfig.build.json tsconfig.image.json ./
COPY lib ./lib
COPY gateway ./gateway
COPY subgraphs ./subgraphs
RUN npx tsc -p tsconfig.image.json

# Production dependencies only. onnxruntime-node keeps its bundled CPU runtime (no CUDA download).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
# The onnxruntime-node package carries binaries for every OS; the image keeps Linux only.
RUN npm ci --omit=dev --no-audit --no-fund \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} + \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    AIC_DATA_DIR=/var/lib/aic \
    AIC_SUPERGRAPH_PATH=/app/supergraph.graphql \
    AIC_INFERENCE_PROVIDERS=cpu \
    AIC_EXECUTION_PROVIDERS=cpu \
    HOME=/tmp
WORKDIR /app
# Owned by root and not writable by the service user: the code cannot be changed at run time.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json supergraph.yaml* supergraph.graphql* ./
RUN mkdir -p /var/lib/aic && chown 1000:1000 /var/lib/aic
USER 1000:1000
EXPOSE 4000
# type-graphql needs the Reflect metadata polyfill before any decorated class loads, whatever a
# service's import order: preload it for every process.
ENTRYPOINT ["node", "--enable-source-maps", "--require", "reflect-metadata"]
# The heap flags of lib/contracts/services.ts (SERVICES.*.nodeFlags) for the service it starts by default.
CMD ["--initial-old-space-size=256", "dist/gateway/src/main.js"]
