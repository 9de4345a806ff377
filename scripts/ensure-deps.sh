#!/usr/bin/env bash
# Installs what Callsight needs and is missing: npm packages, and Debian packages (speech recognition
# for running; SIP peers, audio tools and Chromium for tests). Installs with apt when root, otherwise
# stops with the exact command to run.  Usage: ensure-deps.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "callsight: Node.js 20 or newer is required (found: $(node -v 2>/dev/null || echo none))." >&2
  exit 1
fi

# npm packages: (re)install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "callsight: installing npm packages..." >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

# Debian packages, each with a file that proves it is installed.
declare -A probe=(
  [libpocketsphinx3]=/usr/lib/x86_64-linux-gnu/libpocketsphinx.so.3
  [pocketsphinx-en-us]=/usr/share/pocketsphinx/model/en-us/en-us/mdef
)
if [ "${1:-}" = "--test" ]; then
  probe+=(
    [pocketsphinx-testdata]=/usr/share/pocketsphinx/test/data/goforward.raw
    [sip-tester]=/usr/bin/sipp
    # Two real phones for the trunk tests (aufile, aubridge, sndfile, ctrl_tcp are in the core package).
    [baresip-core]=/usr/lib/baresip/modules/sndfile.so
    [flite]=/usr/bin/flite
    [espeak-ng]=/usr/bin/espeak-ng
    [sox]=/usr/bin/sox
    # An independent G.722 implementation the codec tests compare ours with (test/media/support/spandsp.ts).
    [libspandsp2]=/usr/lib/x86_64-linux-gnu/libspandsp.so.2
    # Throwaway certificate authorities for the SIP over TLS tests (test/helpers/testCa.ts).
    [openssl]=/usr/bin/openssl
    # The web app's browser tests and benchmark drive Debian's Chromium (playwright-core, no download).
    [chromium]=/usr/bin/chromium
    [chromium-driver]=/usr/bin/chromedriver
    # The JetStream and PostgreSQL adapter tests start a private nats-server, and use the running
    # PostgreSQL (or start a private cluster with its initdb) — see test/helpers/natsServer.ts, postgres.ts.
    [nats-server]=/usr/sbin/nats-server
    [postgresql]=/usr/lib/postgresql
  )
fi
# On other architectures the library lives under another multiarch folder.
arch_lib=$(ls /usr/lib/*/libpocketsphinx.so.3 2>/dev/null | head -n 1 || true)
missing=()
for pkg in "${!probe[@]}"; do
  if [ "$pkg" = libpocketsphinx3 ] && [ -n "$arch_lib" ]; then continue; fi
  [ -e "${probe[$pkg]}" ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "callsight: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "callsight: missing Debian packages: ${missing[*]}" >&2
    echo "  Install them with:  sudo apt-get install ${missing[*]}" >&2
    if [ "${CALLSIGHT_ASR_ENABLED:-true}" = false ] && [ "${1:-}" != "--test" ]; then
      echo "  (CALLSIGHT_ASR_ENABLED=false: starting without speech recognition)" >&2
    else
      exit 1
    fi
  fi
fi
