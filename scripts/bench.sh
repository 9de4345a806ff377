#!/usr/bin/env bash
# `npm run bench`: installs what is missing, builds, then runs the benchmarks (bench/run.ts) against the
# built Callsight. Not part of `npm test`. Arguments go to the runner (`npm run bench -- --only latency`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --test
npm run --silent build
exec node --import tsx bench/run.ts "$@"
