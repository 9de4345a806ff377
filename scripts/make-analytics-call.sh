#!/usr/bin/env bash
# Regenerates test/fixtures/audio/angry-customer.wav (flite, voice rms, 8 kHz mono 16-bit): a customer
# who states a problem, gets angry and reads out a card number, with pauses between sentences.
# Writes angry-customer.json with each sentence and its speech duration (silence trimmed), which the
# analytics end-to-end test compares the post-call talk time with.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/audio"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

sentences=(
  "Hello, I was charged twice for my phone bill this month."
  "This is terrible service and I am really angry about it."
  "My card number is four one one one, one one one one, one one one one, one one one one."
  "I am very frustrated, this is the worst experience ever."
)
sox -n -r 8000 -c 1 -b 16 "$work/pause.wav" trim 0 1.2
sox -n -r 8000 -c 1 -b 16 "$work/lead.wav" trim 0 0.5
parts=("$work/lead.wav")
json='{"sentences":['
for i in "${!sentences[@]}"; do
  flite -voice rms -t "${sentences[$i]}" -o "$work/raw-$i.wav"
  # Speech only: leading and trailing silence trimmed, so durations are what a listener hears.
  sox "$work/raw-$i.wav" -r 8000 -c 1 -b 16 -e signed-integer "$work/s-$i.wav" rate -v \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse
  duration=$(soxi -D "$work/s-$i.wav")
  parts+=("$work/s-$i.wav" "$work/pause.wav")
  [ "$i" -gt 0 ] && json+=','
  json+="{\"text\":\"${sentences[$i]}\",\"speechSeconds\":$duration}"
done
json+=']}'
sox "${parts[@]}" -r 8000 -c 1 -b 16 -e signed-integer "$out/angry-customer.wav"
printf '%s\n' "$json" > "$out/angry-customer.json"
echo "wrote $out/angry-customer.wav ($(soxi -D "$out/angry-customer.wav") s)"
