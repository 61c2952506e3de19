#!/usr/bin/env bash
# Install the Debian packages govcloud needs, once. Idempotent: does nothing when all are present.
# 安装 govcloud 所需的 Debian 软件包（幂等）。
set -euo pipefail
PKGS=(
  iproute2 nftables debootstrap openssh-client iputils-ping   # lab: namespaces, firewalls, hosts, SSH
  chromium poppler-utils fonts-noto-cjk           # report: PDF printing, page rendering, CJK fonts
  postgresql-15 dnsmasq-base                      # DR drills: replicated database, lab DNS endpoint
  etcd-server etcd-client haproxy python3-venv    # DR drills on Patroni: etcd3 DCS, leader-following endpoint
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "[setup] Debian packages present: ${PKGS[*]}"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[setup] missing Debian packages: ${missing[*]} — run as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "[setup] installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "[setup] Debian packages installed: ${missing[*]}"
