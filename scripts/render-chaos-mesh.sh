#!/usr/bin/env bash
# Renders Chaos Mesh's official Helm chart, as shipped in the module tools/chaos-mesh pins, into
# manifests/chaos-mesh/ (crds.yaml, chaos-mesh.yaml), which firedrill applies on a Kubernetes substrate
# when a scenario needs a chaos capability (src/substrates/kubernetes/chaos-mesh/chaos-mesh-install.ts).
# Run once per pin change; the output is committed (docs/kubernetes.md, "Chaos Mesh").
#
# Helm is built from the Go module the same graph pins (helm.sh/helm/v3, a dependency of Chaos Mesh)
# into ${FIREDRILL_CACHE:-$HOME/.cache/firedrill}/bin/helm, so no download from elsewhere is needed.
# The chart's own certificates (helm's genCA, new on every render) are emptied: firedrill makes its own
# at install and fills the Secrets and the webhooks' caBundle then.
#
# Values: containerd runtime and socket (kind and the air-gapped node), the DNS server on (DNSChaos),
# no dashboard, no chaosd mTLS (no physical machines), no profiling endpoints.
#
# Usage: scripts/render-chaos-mesh.sh [--check]
#   --check  render to a temporary directory and exit 1 when it differs from manifests/chaos-mesh/
# Exit codes: 0 done (or no difference); 1 a difference (--check) or a failed build; 2 bad usage.
# Needs: go (tools/chaos-mesh/go.mod), node, the Go module proxy or a filled module cache.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "render-chaos-mesh: unknown argument \"$arg\" (try --help)" >&2
      exit 2
      ;;
  esac
done
command -v go >/dev/null || {
  echo "render-chaos-mesh: go is missing (install Go $(sed -nE 's/^go (.*)/\1/p' tools/chaos-mesh/go.mod) or newer)" >&2
  exit 1
}

cache=${FIREDRILL_CACHE:-$HOME/.cache/firedrill}
helm="$cache/bin/helm"
mkdir -p "$cache/bin"
(
  cd tools/chaos-mesh
  want=$(go list -m -f '{{.Version}}' helm.sh/helm/v3)
  if ! [ -x "$helm" ] || ! "$helm" version --template '{{.Version}}' 2>/dev/null | grep -qx "$want"; then
    echo "render-chaos-mesh: building helm $want" >&2
    go build -ldflags "-X helm.sh/helm/v3/internal/version.version=$want" -o "$helm" helm.sh/helm/v3/cmd/helm
  fi
)
chart="$(cd tools/chaos-mesh && go list -m -f '{{.Dir}}' github.com/chaos-mesh/chaos-mesh)/helm/chaos-mesh"

out=manifests/chaos-mesh
[ "$check" = 1 ] && out=$(mktemp -d)
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
"$helm" template chaos-mesh "$chart" --namespace chaos-mesh --include-crds \
  --set chaosDaemon.runtime=containerd \
  --set chaosDaemon.socketPath=/run/containerd/containerd.sock \
  --set dashboard.create=false \
  --set controllerManager.chaosdSecurityMode=false \
  --set enableProfiling=false \
  >"$raw"
node scripts/split-chaos-mesh.mjs "$raw" "$out"

if [ "$check" = 1 ]; then
  if diff -r "$out" manifests/chaos-mesh >/dev/null; then
    echo "render-chaos-mesh: manifests/chaos-mesh is up to date" >&2
  else
    echo "render-chaos-mesh: manifests/chaos-mesh differs from a fresh render (run scripts/render-chaos-mesh.sh)" >&2
    exit 1
  fi
fi
echo "$out"
