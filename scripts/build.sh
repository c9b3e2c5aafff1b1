#!/usr/bin/env bash
# Builds one configuration: scripts/build.sh [Release|Debug|Asan] (default Release).
# Output: build/ (Release), build-debug/, build-asan/.
set -euo pipefail
cd "$(dirname "$0")/.."
type=${1:-Release}
case "$type" in
  Release) dir=build ;;
  Debug)   dir=build-debug ;;
  Asan)    dir=build-asan ;;
  *) echo "usage: scripts/build.sh [Release|Debug|Asan]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" > /dev/null
cmake --build "$dir" -j"$(nproc)"
