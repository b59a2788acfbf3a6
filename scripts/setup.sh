#!/usr/bin/env bash
# Installs what Canto needs to build, run and test on Debian 12, when it is missing.
# Runs as root, or with sudo when it is available.
set -euo pipefail

packages=(pkg-config libtag1-dev libavformat-dev libavcodec-dev libavutil-dev libswresample-dev libswscale-dev
  libsqlite3-dev zlib1g-dev ffmpeg curl openssl python3 python3-venv)
# `--test`: also what the test suite needs (the web UI tests drive Debian's Chromium).
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium chromium-driver)
fi
# `--bench`: the HTTP benchmarks' load generator.
if [ "${1:-}" = "--bench" ]; then
  packages+=(wrk)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v swift >/dev/null; then
  echo "setup: the Swift toolchain (6.1 or newer) is not on PATH; install it from swift.org" >&2
  exit 1
fi
