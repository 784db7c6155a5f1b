# The thv-registry server: `thv-registry-api` with every built-in source (file, git, api, kubernetes) and
# storage (fs, pg), run as an unprivileged user.
#
#   docker build --build-arg VERSION=0.1.0 -t thv-registry .
#   docker run --rm -p 8080:8080 -v "$PWD/examples:/config:ro" thv-registry serve --config /config/config-file.yaml
#
# NODE_BASE is the Node.js 20 image both stages start from, pinned to a release. To build from a
# mirrored or locally made copy: --build-arg NODE_BASE=<image>.
ARG NODE_BASE=node:20.19.5-bookworm-slim

# ---- build: compile the workspace and pack the packages the CLI runs with ----------------------
FROM ${NODE_BASE} AS build
WORKDIR /src

# The manifests of every workspace first, so that `npm ci` stays cached until a dependency changes.
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/source-file/package.json packages/source-file/
COPY packages/source-git/package.json packages/source-git/
COPY packages/source-api/package.json packages/source-api/
COPY packages/source-kubernetes/package.json packages/source-kubernetes/
COPY packages/storage-fs/package.json packages/storage-fs/
COPY packages/storage-pg/package.json packages/storage-pg/
COPY packages/cli/package.json packages/cli/
COPY examples/source-plugin-example/package.json examples/source-plugin-example/
COPY examples/cli-plugin-example/package.json examples/cli-plugin-example/
COPY examples/embed/package.json examples/embed/
RUN npm ci --ignore-scripts --no-audit --no-fund

COPY tsconfig.base.json tsconfig.json ./
COPY packages/ packages/
COPY examples/ examples/
RUN npm run build \
 && mkdir /pack \
 && npm pack --ignore-scripts --pack-destination /pack \
      -w packages/core \
      -w packages/source-file -w packages/source-git -w packages/source-api -w packages/source-kubernetes \
      -w packages/storage-fs -w packages/storage-pg \
      -w packages/cli

# ---- runtime: the packed CLI and its production dependencies only ------------------------------
FROM ${NODE_BASE} AS runtime
ARG VERSION=dev

LABEL org.opencontainers.image.title="thv-registry" \
      org.opencontainers.image.description="MCP Registry API server (thv-registry-api): serves MCP server catalogs from file, git and upstream registry sources" \
      org.opencontainers.image.source="https://github.com/stacklok/thv-registry" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"

# THV_DATA_DIR: the data directory (the default fs storage) of a config without `dataDir`.
ENV NODE_ENV=production \
    THV_DATA_DIR=/data \
    PATH=/app/node_modules/.bin:$PATH

# /data is the server's, and also writable to any other uid a platform runs the image as: a tmpfs
# or volume mounted over it takes this mode (podman copies it; Docker's tmpfs and an emptyDir are
# 1777 anyway).
RUN groupadd --system --gid 10001 thv \
 && useradd --system --uid 10001 --gid 10001 --home-dir /home/thv --create-home --shell /usr/sbin/nologin thv \
 && mkdir -p /data /config \
 && chown 10001:10001 /data \
 && chmod 1777 /data

WORKDIR /app
COPY --from=build /pack/ /tmp/pack/
# Installed as root and left read-only to the server. Type declarations, source maps and docs of
# the dependencies are not needed to run.
RUN printf '{ "name": "thv-registry-image", "private": true }\n' > package.json \
 && npm install --omit=dev --ignore-scripts --no-audit --no-fund --cache /tmp/npm-cache /tmp/pack/*.tgz \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \
      -o \( -name '*.md' ! -iname 'licen[cs]e*' \) \) -delete \
 && rm -rf /tmp/pack /tmp/npm-cache \
 && thv-registry-api version

USER 10001:10001
VOLUME /data
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["thv-registry-api"]
CMD ["serve", "--config", "/config/config.yaml"]
