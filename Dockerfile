# kbgate: the TypeScript build and the native modules are made in the build stage; the runtime stage holds only
# dist/, production node_modules and the health check, and runs as the unprivileged `node` user.
#
#   docker build -t kbgate .
#   docker run -p 8000:8000 -v kbgate-data:/data kbgate

# Node 24 LTS; the code also runs on Node 20 and 22 (package.json engines).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 and hnswlib-node compile from source (.prebuild-installrc skips the futile prebuilt download).
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .prebuild-installrc ./
# npm ci runs the package's prepare script, which does nothing before the sources are copied, and its postinstall
# script, which compiles hnswlib-node a second time with AVX2 and FMA (node_modules/.cache/kbgate). The server loads
# that build only where /proc/cpuinfo shows both, so the image still runs on any x86-64 host.
COPY scripts/prepare.mjs scripts/build-hnswlib-avx2.mjs ./scripts/
RUN npm ci
# .dockerignore lets in only what the build needs (sources, tsconfigs, plugin and console assets).
COPY . .
RUN npm run build \
    && npm prune --omit=dev \
    && mkdir -p plugin

FROM ${NODE_IMAGE} AS runtime
# glibc's malloc serves blocks of 1 MiB and more (request bodies, decoded batches) from their own mappings, returned
# to the system when freed, instead of raising that threshold as it goes and keeping such blocks in the heap: 50-70 MB
# less resident memory after a bulk load of 20,000 vectors, at the same CPU (BENCHMARKS.md). npm start does the same.
ENV MALLOC_MMAP_THRESHOLD_=1048576 \
    NODE_ENV=production \
    KBGATE_HOST=0.0.0.0 \
    KBGATE_PORT=8000 \
    KBGATE_DATA_DIR=/data \
    KBGATE_MODEL_DIR=/models
WORKDIR /app
# Code stays owned by root, so the server cannot rewrite itself; only /data and /models are writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/plugin ./plugin
COPY --from=build /app/console ./console
COPY scripts/healthcheck.mjs ./scripts/healthcheck.mjs
RUN mkdir -p /data /models && chown node:node /data /models
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "scripts/healthcheck.mjs"]
# A young generation of 4 MiB semi-spaces instead of V8's 16: about 23 MB less resident memory, for a few percent
# more CPU on unfiltered queries in an A/B run (requests allocate little that lives). npm start uses the same flags.
CMD ["node", "--max-semi-space-size=4", "dist/src/main.js"]
