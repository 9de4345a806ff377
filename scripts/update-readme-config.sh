#!/usr/bin/env bash
# Regenerates the README's configuration table from src/app/config/ConfigOptions.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsx scripts/print-config-table.ts > /tmp/callsight-config-table.md
python3 - <<'PY'
readme = open('README.md').read()
table = open('/tmp/callsight-config-table.md').read().rstrip('\n')
start = readme.index('| Environment variable |')
end = readme.index('\n\n', start)
open('README.md', 'w').write(readme[:start] + table + readme[end:])
PY
