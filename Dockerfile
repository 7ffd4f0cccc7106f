# syntax=docker/dockerfile:1
#
# The shop image: one image for every shop service (and the harness's flags and loadgen); the service
# is the argument, e.g. `docker run acme/shop:0.1.0 cart`. Built by scripts/build-image.sh, which
# passes BASE_IMAGE and the tag from versions.json, and loaded into kind with `kind load docker-image`.
#
# Build it wherever Docker runs: ./scripts/build-image.sh. Without registry access, make the base locally
# (debootstrap + this machine's Node.js) and build on it: sudo ./scripts/make-local-images.sh, then check
# every entry point in containers with `make test-image` (docs/air-gapped.md).
#
# Keep BASE_IMAGE's default equal to images.node.image in versions.json (tests/manifests asserts it).
ARG BASE_IMAGE=node:20.20.2-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
# Lock file first, so the dependency layer is reused until package-lock.json changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY apps ./apps
COPY agents ./agents
# The build compiles src/ (and agents/, which src/ imports for `firedrill baseline`) too: the shop reuses
# firedrill's logger and errors. Dev dependencies (TypeScript,
# jest...) are dropped after compiling so the runtime stage copies production modules only.
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund --loglevel=error

FROM ${BASE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only for the app user: the pods run with readOnlyRootFilesystem anyway.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# `node` (uid/gid 1000) ships with the official Node.js images; the manifests' runAsUser matches it.
USER node
EXPOSE 8080
ENTRYPOINT ["node", "dist/apps/shop/src/main.js"]
CMD ["frontend"]
