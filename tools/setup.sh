#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages only; nothing downloads at build time).
set -euo pipefail
packages=(build-essential cmake libz3-dev librapidcheck-dev libboost-graph-dev nlohmann-json3-dev
          libgtest-dev libgmock-dev libcli11-dev libbenchmark-dev clang libclang-rt-14-dev
          # for the tests of the pictures (issue 16): dot renders the exports, xmllint checks
          # the SVG charts, Chromium runs the HTML viewer
          graphviz libxml2-utils chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi
