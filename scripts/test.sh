#!/usr/bin/env bash
# Runs every test: installs what is missing (npm packages, Debian tools), builds, then node's test runner
# with lint beside it (types, the allowed dependency graph, dead code, formatting: a lint failure fails
# the run).
# The scale-out end-to-end tests (five or more Callsight processes each, standing in for several
# machines) run last and one at a time, so that they do not share two cores with the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --test
npm run --silent build
shopt -s globstar nullglob
failures=$(mktemp -d)
trap 'rm -rf "$failures" "$failures.lint.log"' EXIT
runs=0
run() {
  runs=$((runs + 1))
  node --import tsx --test --test-timeout=300000 --test-reporter=tap --test-reporter-destination=stdout \
    --test-reporter=./scripts/failed-tests-reporter.mjs --test-reporter-destination="$failures/$runs" "$@"
}
summary() {
  if cat "$failures"/* 2>/dev/null | grep -q .; then
    echo "# failed tests:"
    cat "$failures"/*
  else
    echo "# no test failed"
  fi
}
if [ "$#" -gt 0 ]; then
  status=0
  run --test-concurrency="${TEST_CONCURRENCY:-2}" "$@" || status=$?
  summary
  exit "$status"
fi
solo=(test/e2e/ScaleOut*.test.ts)
rest=()
for file in test/**/*.test.ts; do [[ " ${solo[*]} " == *" $file "* ]] || rest+=("$file"); done
status=0
# Lint runs beside the first tests (it is one core for about two minutes); its output and verdict come
# at the end, and a lint failure fails the run.
lint_log="$failures.lint.log"
npm run --silent lint >"$lint_log" 2>&1 &
lint_pid=$!
# Three files at once on two cores: the slowest files mostly wait on real time (RTP played at its own
# pace, SIP peers, browsers), so a third slot keeps the cores busy while they do.
run --test-concurrency=3 "${rest[@]}" || status=$?
run --test-concurrency=1 "${solo[@]}" || status=$?
lint_status=0
wait "$lint_pid" || lint_status=$?
cat "$lint_log"
summary
if [ "$lint_status" -ne 0 ]; then
  echo "# lint failed (exit $lint_status): see its output above"
  status=$lint_status
fi
exit "$status"
