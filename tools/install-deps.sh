#!/usr/bin/env bash
# Installs the Debian 12 packages copytrader needs, and only those missing.
# Idempotent: when everything is present it prints one line and touches nothing.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config clang-format valgrind
  libuv1-dev libwebsockets-dev libcurl4-openssl-dev libmsgpack-dev
  liblmdb-dev libssl-dev openssl libcmocka-dev libcjson-dev libyaml-dev
  gnuplot-nox jq
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root to install)" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
