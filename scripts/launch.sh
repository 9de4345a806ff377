#!/usr/bin/env bash
# `npm run launch`: install what is missing, build, and start Callsight with its embedded defaults.
# Any arguments go to Callsight (e.g. `npm run launch -- --config callsight.yaml`, `-- --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npm run --silent build
exec node dist/src/main.js "$@"
