#!/usr/bin/env bash
# Installs, on Debian/Ubuntu, what the air-gapped images and the real node need beyond install-prereqs.sh
# (docs/air-gapped.md): Docker (to build and hold the images), debootstrap (their Debian root), containerd,
# runc, the CNI plugins, conntrack and iptables (the node), and starts the Docker daemon where no init
# system does. Idempotent. Needs root and apt-get. Go (for the binaries) must already be installed.
# Exit codes: 0 ready; 4 not root, no apt-get, or the daemon did not come up.
set -euo pipefail

say() { echo "install-node-prereqs: $*" >&2; }
if [ "$(id -u)" -ne 0 ]; then
  say 'needs root; run with sudo'
  exit 4
fi
command -v apt-get >/dev/null 2>&1 || { say 'no apt-get here: install docker, debootstrap, containerd, runc, CNI plugins, conntrack, iptables'; exit 4; }

pkgs=()
command -v dockerd >/dev/null 2>&1 || pkgs+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || pkgs+=(debootstrap)
command -v containerd >/dev/null 2>&1 || pkgs+=(containerd)
command -v runc >/dev/null 2>&1 || pkgs+=(runc)
[ -x /usr/lib/cni/bridge ] || pkgs+=(containernetworking-plugins)
command -v conntrack >/dev/null 2>&1 || pkgs+=(conntrack)
command -v iptables >/dev/null 2>&1 || pkgs+=(iptables)
if [ ${#pkgs[@]} -gt 0 ]; then
  say "apt-get install ${pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  if command -v systemctl >/dev/null 2>&1 && systemctl start docker >/dev/null 2>&1; then
    :
  else
    say 'starting dockerd (log: /var/log/firedrill-dockerd.log)'
    nohup dockerd >/var/log/firedrill-dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { say 'the Docker daemon did not come up; see /var/log/firedrill-dockerd.log'; exit 4; }
fi
say "ready: docker $(docker version --format '{{.Server.Version}}'), containerd $(containerd --version | awk '{print $3}'), runc $(runc --version | sed -n 's/^runc version //p')"
