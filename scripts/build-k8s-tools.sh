#!/usr/bin/env bash
# Builds a Kubernetes control plane from Go modules, for machines that cannot pull images or
# download release binaries (docs/air-gapped.md):
#   kube-apiserver, kube-controller-manager, kubectl   from k8s.io/kubernetes  (tools/k8s/go.mod)
#   etcd                                               from go.etcd.io/etcd/server/v3 (tools/etcd/go.mod)
#   kind                                               from sigs.k8s.io/kind (tools/kind/go.mod)
#   kubelet, kube-scheduler, kube-proxy                 from k8s.io/kubernetes, only when named (a node, stage B)
#   coredns                                            from github.com/coredns/coredns (tools/coredns), only when named
#   kube-state-metrics                                 from k8s.io/kube-state-metrics/v2 (tools/kube-state-metrics), only when named
#   jaeger                                             from github.com/jaegertracing/jaeger/cmd/jaeger (tools/jaeger), only when named
#   prometheus                                         from github.com/prometheus/prometheus/cmd/prometheus (tools/prometheus), only when named
#     (the last three go into images by scripts/make-local-images.sh: the node's observability stack)
# into ${FIREDRILL_CACHE:-$HOME/.cache/firedrill}/k8s/<kubernetes version>/bin/.
#
# Idempotent: a binary that is already there and reports the pinned version is kept. Prints what it
# builds and how long each took on stderr, and the bin directory on stdout.
#
# Usage: scripts/build-k8s-tools.sh [--force] [--check] [NAME...]
#   NAME      build only these (any name above); default the first five (etcd kube-apiserver kube-controller-manager kubectl kind)
#   --force   rebuild even when the binary is there with the right version
#   --check   build nothing; exit 0 when every requested binary is there with the right version, else 3
# Exit codes: 0 done; 1 a build failed; 2 bad usage or pins that disagree; 3 --check found something missing.
# Needs: go >= the version in tools/*/go.mod, node (reads versions.json), and the Go module proxy
# or a GOPROXY mirror (GOPROXY=file:///dir works) or a filled module cache (then GOPROXY=off).
# The build is CPU-heavy (kube-apiserver ~ several CPU-minutes); run it under `nice` on a shared box.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

all=(etcd kube-apiserver kube-controller-manager kubectl kind)
force=0
check=0
wanted=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --check) check=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    etcd | kube-apiserver | kube-controller-manager | kubectl | kind | kubelet | kube-scheduler | kube-proxy | coredns | kube-state-metrics | jaeger | prometheus) wanted+=("$arg") ;;
    *)
      echo "build-k8s-tools: unknown argument \"$arg\" (try --help)" >&2
      exit 2
      ;;
  esac
done
[ ${#wanted[@]} -eq 0 ] && wanted=("${all[@]}")

# The version a tools/ module pins on its one-line `require <module> <version>`; empty when it has none.
pinned_version() { # dir module
  sed -nE "s#^require ${2//./\\.} (v[^ ]+)\$#\1#p" "$1/go.mod"
}
# Exits 2 when a tools/ module pins another version than the one versions.json implies ($want).
check_module_pin() { # name dir module expected
  local have
  have=$(pinned_version "$2" "$3")
  if [ "$have" != "$4" ]; then
    echo "build-k8s-tools: versions.json names $1 $want (module $4) but $2/go.mod pins ${have:-nothing}" >&2
    exit 2
  fi
}

k8s_version=$(node -p 'require("./versions.json").tools.kubernetes')
pinned=$(pinned_version tools/k8s k8s.io/kubernetes)
if [ "$pinned" != "$k8s_version" ]; then
  echo "build-k8s-tools: versions.json tools.kubernetes is $k8s_version but tools/k8s/go.mod pins ${pinned:-nothing}; run tools/gen-k8s-gomod.sh $k8s_version" >&2
  exit 2
fi
etcd_version=$(pinned_version tools/etcd go.etcd.io/etcd/server/v3)
if [ -z "$etcd_version" ]; then
  echo "build-k8s-tools: tools/etcd/go.mod has no single-line 'require go.etcd.io/etcd/server/v3 vX'" >&2
  exit 2
fi

kind_version=$(node -p 'require("./versions.json").tools.kind')
kind_pinned=$(pinned_version tools/kind sigs.k8s.io/kind)
if [ "$kind_pinned" != "$kind_version" ]; then
  echo "build-k8s-tools: versions.json tools.kind is $kind_version but tools/kind/go.mod pins ${kind_pinned:-nothing}; run (cd tools/kind && go get sigs.k8s.io/kind@$kind_version && go mod tidy)" >&2
  exit 2
fi

cache="${FIREDRILL_CACHE:-$HOME/.cache/firedrill}"
bin="$cache/k8s/$k8s_version/bin"
mkdir -p "$bin"

# What each binary must report for it to count as built from the current pins.
reported_version() {
  local exe="$bin/$1"
  [ -x "$exe" ] || return 0
  case "$1" in
    etcd) "$exe" --version 2>/dev/null | sed -nE 's/^etcd Version: (.*)$/v\1/p' ;;
    kind) "$exe" version 2>/dev/null | sed -nE 's/^kind (v[^ ]+) .*$/\1/p' ;;
    coredns) "$exe" -version 2>/dev/null | sed -nE 's/^CoreDNS-([0-9.]+)$/v\1/p' ;;
    kube-state-metrics) "$exe" version 2>/dev/null | sed -nE 's/^kube-state-metrics, version (v[^ ]+) .*$/\1/p' ;;
    jaeger) "$exe" version 2>/dev/null | jq -r '.gitVersion // empty' ;;
    prometheus) "$exe" --version 2>/dev/null | sed -nE 's/^prometheus, version ([0-9.]+) .*$/v\1/p' ;;
    kubectl) "$exe" version --client -o json 2>/dev/null | jq -r '.clientVersion.gitVersion // empty' ;;
    *) "$exe" --version 2>/dev/null | sed -nE 's/^Kubernetes (v.*)$/\1/p' ;;
  esac
}
expected_version() {
  case "$1" in
    etcd) echo "$etcd_version" ;;
    kind) echo "$kind_version" ;;
    coredns) pinned_version tools/coredns github.com/coredns/coredns ;;
    kube-state-metrics) pinned_version tools/kube-state-metrics k8s.io/kube-state-metrics/v2 ;;
    # The image tag the manifests name (2.N.0); the module version is v1.(N+64).0, checked below.
    jaeger) echo "v$(node -p 'require("./versions.json").images.jaeger.image.split(":")[1]')" ;;
    prometheus) node -p 'require("./versions.json").images.prometheus.image.split(":")[1]' ;;
    *) echo "$k8s_version" ;;
  esac
}

if [ $check -eq 1 ]; then
  missing=0
  for name in "${wanted[@]}"; do
    have=$(reported_version "$name")
    want=$(expected_version "$name")
    if [ "$have" != "$want" ]; then
      echo "build-k8s-tools: $bin/$name: ${have:-missing}, want $want" >&2
      missing=1
    fi
  done
  [ $missing -eq 0 ] || exit 3
  echo "$bin"
  exit 0
fi

# Reproducible version stamps: the release time from the module proxy, not the time of this build.
release_time() {
  (cd "$1" && go mod download -json "$2@$3" | jq -r '.Info' | xargs jq -r '.Time')
}

k8s_ldflags() {
  local minor date
  minor=$(sed -E 's/^v1\.([0-9]+)\..*/\1/' <<<"$k8s_version")
  date=$(release_time tools/k8s k8s.io/kubernetes "$k8s_version")
  local flags="-s -w"
  local pkg
  # The same stamps hack/lib/version.sh sets; without them the binaries report v0.0.0-master and
  # clients (kubectl, client-node) see a nonsense server version.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=archive -X $pkg.buildDate=$date"
  done
  echo "$flags"
}

build() {
  local name="$1" moddir="$2" pkg="$3" ldflags="$4" tags="$5"
  local start end tmp
  start=$(date +%s)
  tmp="$bin/.$name.tmp.$$"
  echo "build-k8s-tools: building $name $(expected_version "$name") from $pkg ..." >&2
  if ! (cd "$moddir" && CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath -tags "$tags" \
    -ldflags "$ldflags" -o "$tmp" "$pkg"); then
    rm -f "$tmp"
    echo "build-k8s-tools: building $name failed" >&2
    return 1
  fi
  mv -f "$tmp" "$bin/$name"
  end=$(date +%s)
  echo "build-k8s-tools: built $bin/$name ($(du -m "$bin/$name" | cut -f1) MiB) in $((end - start)) s" >&2
}

total_start=$(date +%s)
built=0
for name in "${wanted[@]}"; do
  have=$(reported_version "$name")
  want=$(expected_version "$name")
  if [ $force -eq 0 ] && [ "$have" = "$want" ]; then
    echo "build-k8s-tools: $name $want already built ($bin/$name)" >&2
    continue
  fi
  case "$name" in
    etcd)
      build etcd tools/etcd go.etcd.io/etcd/server/v3 "-s -w" "" || exit 1
      ;;
    kind)
      build kind tools/kind sigs.k8s.io/kind "-s -w" "" || exit 1
      ;;
    coredns)
      build coredns tools/coredns github.com/coredns/coredns "-s -w" "" || exit 1
      ;;
    kube-state-metrics)
      # The stamps its Makefile sets; the version is what `kube-state-metrics version` and its build_info metric report.
      ksm_date=$(release_time tools/kube-state-metrics k8s.io/kube-state-metrics/v2 "$want")
      ksm_client_go=$(sed -nE 's/^\s*k8s\.io\/client-go (v[^ ]+).*$/\1/p' tools/kube-state-metrics/go.mod)
      build kube-state-metrics tools/kube-state-metrics k8s.io/kube-state-metrics/v2 \
        "-s -w -X github.com/prometheus/common/version.Version=$want -X github.com/prometheus/common/version.BuildDate=$ksm_date -X k8s.io/kube-state-metrics/v2/pkg/app.ClientGoVersion=$ksm_client_go" "" || exit 1
      ;;
    jaeger)
      v2_minor=$(sed -E 's/^v2\.([0-9]+)\..*/\1/' <<<"$want")
      jaeger_module="v1.$((v2_minor + 64)).0"
      check_module_pin jaeger tools/jaeger github.com/jaegertracing/jaeger "$jaeger_module"
      jaeger_date=$(release_time tools/jaeger github.com/jaegertracing/jaeger "$jaeger_module")
      build jaeger tools/jaeger github.com/jaegertracing/jaeger/cmd/jaeger \
        "-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=$want -X github.com/jaegertracing/jaeger/internal/version.date=$jaeger_date" "" || exit 1
      ;;
    prometheus)
      # Prometheus 2.N.M is module version v0.N.M.
      prom_module="v0.${want#v2.}"
      check_module_pin prometheus tools/prometheus github.com/prometheus/prometheus "$prom_module"
      prom_date=$(release_time tools/prometheus github.com/prometheus/prometheus "$prom_module")
      # The stamps and tags of its release builds (promu), less builtinassets: the web UI's files are
      # generated by npm in its repository and are not in the module; the API and every flag are there.
      build prometheus tools/prometheus github.com/prometheus/prometheus/cmd/prometheus \
        "-s -w -X github.com/prometheus/common/version.Version=${want#v} -X github.com/prometheus/common/version.Branch=HEAD -X github.com/prometheus/common/version.BuildDate=$prom_date" "netgo" || exit 1
      ;;
    *)
      [ -n "${k8s_flags:-}" ] || k8s_flags=$(k8s_ldflags)
      build "$name" tools/k8s "k8s.io/kubernetes/cmd/$name" "$k8s_flags" "selinux,notest,grpcnotrace" || exit 1
      ;;
  esac
  have=$(reported_version "$name")
  if [ "$have" != "$want" ]; then
    echo "build-k8s-tools: $bin/$name reports version \"${have}\", expected $want" >&2
    exit 1
  fi
  built=$((built + 1))
done
echo "build-k8s-tools: $built built, $((${#wanted[@]} - built)) already there, $(($(date +%s) - total_start)) s in all; binaries in $bin" >&2
echo "$bin"
