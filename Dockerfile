# regso-tiles: the README's commands in an image — `npm ci`, `npm run build`, `npm start`.
#
#   docker build -t regso-tiles .                          # the bundled dataset baked in (built during the image build)
#   docker build -t regso-tiles --build-arg DATASET=mounted .   # no dataset inside: mount builds at /app/build
#   docker run -p 8080:8080 regso-tiles
#   docker run -p 8080:8080 -v /srv/regso-builds:/app/build -v /srv/regso-data:/data -e MANIFEST=/data/manifest.json regso-tiles
#
# A mounted /app/build must be writable by uid 1000 for reloads to store their builds (and for the first start to
# build one if the folder is empty).

# 1. Dependencies, with the tools to compile native modules (better-sqlite3) should no prebuilt binary fit.
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# 2. The dataset: `npm run build` over the bundled manifest (skipped with DATASET=mounted).
FROM deps AS dataset
ARG DATASET=baked
COPY tsconfig.json ./
COPY data ./data
COPY scripts ./scripts
# scripts/build.ts reads the server's configuration (server/config.ts: manifest, build folder, disclosure default).
COPY server ./server
RUN mkdir -p build && if [ "$DATASET" = baked ]; then npm run build && rm -rf build/.work; fi

# 3. Runtime: slim, non-root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY data ./data
COPY tiles ./tiles
COPY server ./server
COPY scripts ./scripts
COPY viewer ./viewer
COPY --from=dataset --chown=node:node /app/build ./build
USER node
EXPOSE 8080
# No curl in the slim image: node asks /health. The start period covers a first start that builds the dataset.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `npm start`'s command, without npm in between, so that SIGTERM and SIGHUP (reload) reach the server.
CMD ["node", "--import", "tsx", "server/main.ts"]
