#!/usr/bin/env bash
# Install the Debian packages cip needs to build and test, when missing.
# Usage: tools/deps.sh [build|test|bench|fuzz]...   (default: build)
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -euo pipefail

want=(gcc make cmake pkg-config zlib1g-dev libsqlite3-dev libjansson-dev libmicrohttpd-dev
      libcurl4-openssl-dev nettle-dev)
for what in "${@:-build}"; do
  case "$what" in
    build) ;;
    test)  want+=(libcmocka-dev python3 chromium util-linux)
           command -v npm >/dev/null 2>&1 || want+=(nodejs npm) ;;
    fuzz)  want+=(clang libclang-rt-14-dev) ;;
    bench) want+=(python3 python3-pandas python3-numpy python3-sklearn time r-cran-ranger
                 python3-xgboost python3-flask wrk curl) ;;
    *) echo "deps.sh: unknown set '$what'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "cip needs these Debian packages: ${missing[*]}" >&2
  echo "run as root:  apt-get update && $cmd" >&2
  exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
$cmd >/dev/null
