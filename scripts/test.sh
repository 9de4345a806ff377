#!/usr/bin/env bash
# Runs every test: installs what is missing (npm packages, Debian tools), builds, lints (types, the
# allowed dependency graph, dead code, formatting: a lint failure fails the run), then node's test runner.
# The scale-out end-to-end tests (five or more Callsight processes each, standing in for several
# machines) run last and one at a time, so that they do not share two cores with the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --test
npm run --silent build
shopt -s globstar nullglob
run() { node --import tsx --test --test-timeout=300000 "$@"; }
if [ "$#" -gt 0 ]; then run --test-concurrency=2 "$@"; exit; fi
npm run --silent lint
solo=(test/e2e/ScaleOut*.test.ts)
rest=()
for file in test/**/*.test.ts; do [[ " ${solo[*]} " == *" $file "* ]] || rest+=("$file"); done
status=0
run --test-concurrency=2 "${rest[@]}" || status=$?
run --test-concurrency=1 "${solo[@]}" || status=$?
exit "$status"
