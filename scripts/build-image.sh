#!/usr/bin/env bash
# Builds the shop container image with the versions pinned in versions.json:
#   base image  images.node  (passed as --build-arg BASE_IMAGE, by digest when one is pinned)
#               or $BASE_IMAGE when set (a base made without a registry: scripts/make-local-images.sh)
#   tag         images.shop  (acme/shop:<package.json version>)
# Extra arguments go to `docker build` (e.g. --no-cache, --platform linux/arm64).
# Exit codes: 0 built; 2 versions.json disagrees with package.json; 4 docker missing or its daemon unreachable.
# Set DOCKER to use another docker-compatible CLI (e.g. DOCKER=podman).
set -euo pipefail
cd "$(dirname "$0")/.."

docker_cli="${DOCKER:-docker}"
if ! command -v "$docker_cli" >/dev/null 2>&1; then
  echo "build-image: $docker_cli not found; install Docker (https://docs.docker.com/engine/install/) to build the shop image. The local substrate needs no image." >&2
  exit 4
fi
if ! "$docker_cli" info >/dev/null 2>&1; then
  echo "build-image: $docker_cli is installed but its daemon is not reachable (is the Docker service running, and may this user use it?)" >&2
  exit 4
fi

read_pin() {
  node -e '
    const v = require("./versions.json").images[process.argv[1]];
    process.stdout.write(v.digest ? `${v.image}@${v.digest}` : v.image);
  ' "$1"
}
# BASE_IMAGE overrides the pinned base, e.g. one made locally by scripts/make-local-images.sh.
base_image="${BASE_IMAGE:-$(read_pin node)}"
shop_image=$(node -p 'require("./versions.json").images.shop.image')
pkg_version=$(node -p 'require("./package.json").version')

if [ "${shop_image##*:}" != "$pkg_version" ]; then
  echo "build-image: versions.json images.shop.image is $shop_image but package.json's version is $pkg_version; update versions.json and manifests/shop together" >&2
  exit 2
fi

echo "build-image: building $shop_image from $base_image" >&2
"$docker_cli" build \
  --build-arg "BASE_IMAGE=$base_image" \
  --tag "$shop_image" \
  --file Dockerfile \
  "$@" \
  .
echo "$shop_image"
