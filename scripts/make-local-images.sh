#!/usr/bin/env bash
# Makes, without any container registry, the images the shop needs, from Debian packages and this machine's
# Node.js (for machines that cannot pull: see docs/air-gapped.md):
#   local/node:<node>-bookworm-minbase  a Node.js base equivalent to the pinned node:<node>-bookworm-slim:
#                                        debootstrap --variant=minbase bookworm, this machine's node + npm in
#                                        /usr/local, user and group `node` (1000:1000) as in the official image
#   redis:<version>                      the manifests' Redis image, same name and tag: that base plus Debian's
#                                        redis-server, user `redis` with uid 999 as in the official image
#   postgres:<major>                     the manifests' PostgreSQL image: the Debian root plus Debian's
#                                        postgresql-<major> (bookworm: 15), user `postgres` with uid 999 as in the
#                                        official image, images/postgres/entrypoint.sh as its entrypoint (the
#                                        script the local substrate runs), no cluster until it first starts
#   acme/shop:<version>                  scripts/build-image.sh with BASE_IMAGE set to the base above
#   registry.k8s.io/pause:<version>      the pod sandbox, compiled from the Kubernetes source's pause.c
#                                        (k8s.io/kubernetes from the Go module proxy, gcc -static), when go
#                                        and gcc are installed (a real node needs it: docs/air-gapped.md)
# and the observability stack of manifests/observability, for a real node (stage B), when go is installed:
#   prom/alertmanager:<v>                the Debian root plus Debian's prometheus-alertmanager (bookworm's is
#                                        the pinned release), with the official image's entrypoint and user
#   prom/prometheus:<v>, registry.k8s.io/kube-state-metrics/kube-state-metrics:<v>, jaegertracing/jaeger:<v>
#                                        static binaries built by scripts/build-k8s-tools.sh from their Go
#                                        modules, laid out as in the official images (entrypoint, default
#                                        flags, user). Prometheus too: Debian's package is the same release
#                                        but built without Kubernetes service discovery, which the manifests use
# Needs root (debootstrap), debootstrap, and a running Docker daemon. The root filesystem is cached under
# ~/.cache/firedrill/rootfs (delete it to start over). Prints the built image names on stdout.
#
# Usage: scripts/make-local-images.sh [IMAGE...]
#   IMAGE  base redis postgres pause shop prometheus alertmanager kube-state-metrics jaeger; default all
#          (shop needs the base image, made now or before)
# Exit codes: 0 built; 2 bad usage; 4 a tool is missing or the daemon is unreachable; other: the failing step's.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "make-local-images: $*" >&2; }

all_images=(base redis postgres pause shop prometheus alertmanager kube-state-metrics jaeger)
wanted=()
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    base | redis | postgres | pause | shop | prometheus | alertmanager | kube-state-metrics | jaeger) wanted+=("$arg") ;;
    *)
      say "unknown image \"$arg\" (one of: ${all_images[*]})"
      exit 2
      ;;
  esac
done
[ ${#wanted[@]} -gt 0 ] || wanted=("${all_images[@]}")
want() { [[ " ${wanted[*]} " == *" $1 "* ]]; }
need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    say "$1 not found; $2"
    exit 4
  fi
}
need debootstrap 'apt-get install debootstrap'
need docker 'apt-get install docker.io (and start its daemon: dockerd &)'
need node 'install Node.js 20'
if [ "$(id -u)" -ne 0 ]; then
  say 'debootstrap needs root; run with sudo'
  exit 4
fi
if ! docker info >/dev/null 2>&1; then
  say 'docker is installed but its daemon is not reachable; start it (systemctl start docker, or dockerd &)'
  exit 4
fi

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
node_version=$(node -p 'process.versions.node')
pinned_node=$(node -p 'require("./versions.json").local.node')
if [ "$node_version" != "$pinned_node" ]; then
  say "warning: this machine's Node.js is $node_version, versions.json pins $pinned_node; the base image gets $node_version"
fi
redis_image=$(node -p 'require("./versions.json").images.redis.image')
postgres_image=$(node -p 'require("./versions.json").images.postgres.image')
base_image="local/node:${node_version}-bookworm-minbase"
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
npm_dir="$node_prefix/lib/node_modules/npm"
[ -d "$npm_dir" ] || { say "npm not found at $npm_dir"; exit 4; }

cache="${FIREDRILL_CACHE:-$HOME/.cache/firedrill}/rootfs"
mkdir -p "$cache"
rootfs_tar="$cache/bookworm-minbase.tar"
if [ ! -s "$rootfs_tar" ]; then
  work=$(mktemp -d "$cache/debootstrap.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  say "debootstrap --variant=minbase bookworm from $mirror (a few minutes, once)"
  debootstrap --variant=minbase --include=ca-certificates,libstdc++6 bookworm "$work/root" "$mirror" >"$work/log" 2>&1 ||
    { tail -20 "$work/log" >&2; exit 1; }
  chroot "$work/root" apt-get clean
  rm -rf "$work/root/var/lib/apt/lists/"*
  tar -C "$work/root" --numeric-owner -cf "$rootfs_tar.part" .
  mv "$rootfs_tar.part" "$rootfs_tar"
  rm -rf "$work"
  trap - EXIT
fi

# A fresh copy per image: each adds its own files to the cached Debian root.
unpack() {
  local dir
  dir=$(mktemp -d)
  tar -C "$dir" -xf "$rootfs_tar"
  echo "$dir"
}
import_dir() { # dir image change...
  local dir=$1 image=$2
  shift 2
  local args=() stop=""
  for c in "$@"; do
    case "$c" in
      'STOPSIGNAL '*) stop=${c#STOPSIGNAL } ;;
      *) args+=(--change "$c") ;;
    esac
  done
  tar -C "$dir" --numeric-owner -c . | docker import "${args[@]}" - "$image" >/dev/null
  # Docker before 23 (Debian bookworm's 20.10) refuses STOPSIGNAL in `import --change`; a build from the
  # imported image sets it on every version, with nothing to pull and no layer added.
  if [ -n "$stop" ]; then
    printf 'FROM %s\nSTOPSIGNAL %s\n' "$image" "$stop" | docker build -q -t "$image" - >/dev/null
  fi
  rm -rf "$dir"
  say "imported $image"
}
path_env='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# The Node.js base.
if want base; then
root=$(unpack)
install -m 0755 "$(readlink -f "$(command -v node)")" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$root" /usr/local/bin/node --version >/dev/null
# A machine behind a TLS-intercepting proxy trusts its CA through /usr/local/share/ca-certificates; the base
# must trust it too, or `npm ci` in the image build cannot reach the registry. Node.js reads its own CA list
# unless NODE_EXTRA_CA_CERTS points at the system bundle.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1
fi
import_dir "$root" "$base_image" "$path_env" "ENV NODE_VERSION=$node_version" \
  'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' 'CMD ["node"]'
echo "$base_image"
fi

# Installs packages from Debian's archive into an unpacked root, then drops the apt lists (root, packages...).
with_packages() {
  local root=$1
  shift
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  chroot "$root" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  chroot "$root" apt-get clean
  rm -rf "$root/var/lib/apt/lists/"*
  : >"$root/etc/resolv.conf"
}

# Redis from Debian's package (7.0.15 in bookworm, the release versions.json pins), uid 999 as upstream.
if want redis; then
root=$(unpack)
chroot "$root" groupadd --system --gid 999 redis
chroot "$root" useradd --system --uid 999 --gid redis --home-dir /data --no-create-home redis
with_packages "$root" redis-server
mkdir -p "$root/data"
chroot "$root" chown redis:redis /data
redis_version=$(chroot "$root" redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')
[ "${redis_image##*:}" = "$redis_version" ] ||
  say "warning: Debian's redis-server is $redis_version but the manifests name $redis_image"
import_dir "$root" "$redis_image" "$path_env" 'WORKDIR /data' 'EXPOSE 6379' 'CMD ["redis-server"]'
echo "$redis_image"
fi

# PostgreSQL from Debian's package of the major the tag names (15 in bookworm), uid 999 as upstream, with this
# repository's entrypoint: it makes the cluster in PGDATA on first start, then runs the server as `postgres`.
if want postgres; then
pg_major=${postgres_image##*:}
root=$(unpack)
chroot "$root" groupadd --system --gid 999 postgres
chroot "$root" useradd --system --uid 999 --gid postgres --home-dir /var/lib/postgresql --no-create-home \
  --shell /bin/bash postgres
# No sample cluster (Debian's postinst would make `main`): the entrypoint makes one in PGDATA.
with_packages "$root" postgresql-common
sed -ri 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
  "$root/etc/postgresql-common/createcluster.conf"
with_packages "$root" "postgresql-$pg_major"
# Inside the root: its /var/run is a link to /run, which outside it would be this machine's.
chroot "$root" install -d -o postgres -g postgres -m 2775 /var/run/postgresql
chroot "$root" install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
install -m 0755 images/postgres/entrypoint.sh "$root/usr/local/bin/postgres-entrypoint"
pg_version=$(chroot "$root" "/usr/lib/postgresql/$pg_major/bin/postgres" --version | sed -n 's/.*(PostgreSQL) \([0-9.]*\).*/\1/p')
[ "${pg_version%%.*}" = "$pg_major" ] ||
  say "warning: Debian's postgresql-$pg_major is $pg_version but the manifests name $postgres_image"
# SIGINT: a fast shutdown (SIGTERM would wait for every client to disconnect), as the official image says.
import_dir "$root" "$postgres_image" \
  "ENV PATH=/usr/lib/postgresql/$pg_major/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  'ENV PGDATA=/var/lib/postgresql/data' 'STOPSIGNAL SIGINT' 'EXPOSE 5432' \
  'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]' 'CMD ["postgres"]'
echo "$postgres_image"
fi

# The pause image, from the Kubernetes release tools/k8s pins (kubeadm's PauseVersion for that release).
if ! want pause; then
  :
elif command -v go >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1; then
  k8s_version=$(node -p 'require("./versions.json").tools.kubernetes')
  k8s_src=$(cd tools/k8s && go mod download -json "k8s.io/kubernetes@$k8s_version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')
  pause_version=$(sed -nE 's/^TAG \?= (.*)$/\1/p' "$k8s_src/build/pause/Makefile")
  root=$(mktemp -d)
  gcc -Os -Wall -Werror -static -DVERSION="v$pause_version" -o "$root/pause" "$k8s_src/build/pause/linux/pause.c"
  strip "$root/pause"
  pause_image="registry.k8s.io/pause:$pause_version"
  import_dir "$root" "$pause_image" 'ENTRYPOINT ["/pause"]' 'USER 65535:65535'
  echo "$pause_image"
else
  say "go or gcc missing: no pause image (only a real node needs it)"
fi

image_of() { node -p "require('./versions.json').images.$1.image"; }

# Alertmanager from Debian's package: the same binary the local substrate runs, laid out as the official
# image (entrypoint /bin/alertmanager, working directory, user nobody).
debian_release() { chroot "$1" dpkg-query -W -f '${Version}' "$2" | sed -E 's/^([0-9.]+).*/\1/'; }
if want alertmanager; then
  image=$(image_of alertmanager)
  root=$(unpack)
  with_packages "$root" prometheus-alertmanager
  ln -sf prometheus-alertmanager "$root/usr/bin/alertmanager"
  mkdir -p "$root/alertmanager"
  chroot "$root" chown nobody:nogroup /alertmanager
  [ "v$(debian_release "$root" prometheus-alertmanager)" = "${image##*:}" ] ||
    say "warning: Debian's prometheus-alertmanager is $(debian_release "$root" prometheus-alertmanager) but the manifests name $image"
  import_dir "$root" "$image" "$path_env" 'WORKDIR /alertmanager' 'USER nobody' 'EXPOSE 9093' \
    'ENTRYPOINT ["/bin/alertmanager"]' 'CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]'
  echo "$image"
fi

# Prometheus, kube-state-metrics and Jaeger: static Go binaries from their modules (build-k8s-tools.sh keeps
# a binary that already reports the pinned version), each on an empty root with the official image's layout.
names=()
for name in prometheus kube-state-metrics jaeger; do
  if want "$name"; then names+=("$name"); fi
done
if [ ${#names[@]} -gt 0 ]; then
  command -v go >/dev/null 2>&1 || { say "go not found: ${names[*]} are built from Go modules"; exit 4; }
  gobin=$(./scripts/build-k8s-tools.sh "${names[@]}")
fi
if want prometheus; then
  image=$(image_of prometheus)
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/prometheus" "$root/etc/prometheus"
  install -m 0755 "$gobin/prometheus" "$root/bin/prometheus"
  chown 65534:65534 "$root/prometheus"
  import_dir "$root" "$image" 'WORKDIR /prometheus' 'USER 65534:65534' 'EXPOSE 9090' \
    'ENTRYPOINT ["/bin/prometheus"]' 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]'
  echo "$image"
fi
if want kube-state-metrics; then
  image=$(image_of kubeStateMetrics)
  root=$(mktemp -d)
  install -m 0755 "$gobin/kube-state-metrics" "$root/kube-state-metrics"
  import_dir "$root" "$image" 'USER 65534:65534' 'EXPOSE 8080 8081' \
    'ENTRYPOINT ["/kube-state-metrics", "--port=8080", "--telemetry-port=8081"]'
  echo "$image"
fi
if want jaeger; then
  image=$(image_of jaeger)
  root=$(mktemp -d)
  mkdir -p "$root/cmd/jaeger" "$root/tmp"
  chmod 1777 "$root/tmp"
  install -m 0755 "$gobin/jaeger" "$root/cmd/jaeger/jaeger-linux"
  import_dir "$root" "$image" 'ENV JAEGER_LISTEN_HOST=0.0.0.0' 'USER 10001' 'EXPOSE 4317 4318 16686' \
    'ENTRYPOINT ["/cmd/jaeger/jaeger-linux"]'
  echo "$image"
fi

# The shop image, built by the same script users run, on the local base.
if want shop; then
  docker image inspect "$base_image" >/dev/null 2>&1 || { say "no $base_image yet: make it first (make-local-images.sh base)"; exit 4; }
  BASE_IMAGE="$base_image" ./scripts/build-image.sh --network host >&2
  image_of shop
fi
