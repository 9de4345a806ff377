#!/usr/bin/env bash
# Runs every test: installs what is missing (npm packages, Debian tools), builds, then node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --test
npm run --silent build
shopt -s globstar nullglob
files=(test/**/*.test.ts)
if [ "$#" -gt 0 ]; then files=("$@"); fi
exec node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"
