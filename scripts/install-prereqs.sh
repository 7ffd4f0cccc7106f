#!/usr/bin/env bash
# Installs what firedrill's local substrate and its tests need: npm packages from the lock file and,
# on Debian/Ubuntu, the prometheus, prometheus-alertmanager and redis-server packages.
# Idempotent: anything already present is left alone. Set FIREDRILL_SKIP_APT=1 to skip the apt step.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v prometheus >/dev/null 2>&1 || need_pkgs+=(prometheus)
command -v promtool >/dev/null 2>&1 || need_pkgs+=(prometheus)
if ! command -v prometheus-alertmanager >/dev/null 2>&1 && ! command -v alertmanager >/dev/null 2>&1; then
  need_pkgs+=(prometheus-alertmanager)
fi
command -v amtool >/dev/null 2>&1 || need_pkgs+=(prometheus-alertmanager)
command -v redis-server >/dev/null 2>&1 || need_pkgs+=(redis-server)

if [ ${#need_pkgs[@]} -gt 0 ] && [ "${FIREDRILL_SKIP_APT:-0}" != 1 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-prereqs: missing ${need_pkgs[*]} and no apt-get here; install Prometheus, Alertmanager and Redis from your package manager" >&2
    exit 4
  fi
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  # --no-install-recommends: the packages' recommends pull in exporters and a web UI we never start.
  mapfile -t uniq < <(printf '%s\n' "${need_pkgs[@]}" | sort -u)
  echo "install-prereqs: apt-get install ${uniq[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${uniq[@]}" >/dev/null
  # Debian's postinst may start system services; firedrill runs its own instances on free ports.
  for svc in prometheus prometheus-alertmanager redis-server; do
    $sudo systemctl stop "$svc" >/dev/null 2>&1 || true
    $sudo systemctl disable "$svc" >/dev/null 2>&1 || true
  done
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-prereqs: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "install-prereqs: npm run build" >&2
npm run --silent build
