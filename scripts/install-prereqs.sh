#!/usr/bin/env bash
# Installs what firedrill's local substrate and its tests need: npm packages from the lock file and,
# on Debian/Ubuntu, the prometheus, prometheus-alertmanager, redis-server and postgresql packages.
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
# Debian and Ubuntu keep the server off PATH, in /usr/lib/postgresql/<major>/bin.
if ! command -v postgres >/dev/null 2>&1 && ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  need_pkgs+=(postgresql)
fi

if [ ${#need_pkgs[@]} -gt 0 ] && [ "${FIREDRILL_SKIP_APT:-0}" != 1 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-prereqs: missing ${need_pkgs[*]} and no apt-get here; install Prometheus, Alertmanager, Redis and PostgreSQL from your package manager" >&2
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
  for svc in prometheus prometheus-alertmanager redis-server postgresql; do
    $sudo systemctl stop "$svc" >/dev/null 2>&1 || true
    $sudo systemctl disable "$svc" >/dev/null 2>&1 || true
  done
  # postgresql's postinst also makes a cluster (`main`) and starts it on 5432, through init scripts where
  # systemd is not running: stop every cluster and keep it from starting at boot (start.conf: manual).
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | while read -r ver name _; do
      $sudo pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
      conf="/etc/postgresql/$ver/$name/start.conf"
      if [ -f "$conf" ]; then echo manual | $sudo tee "$conf" >/dev/null; fi
    done
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-prereqs: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "install-prereqs: npm run build" >&2
npm run --silent build
