#!/usr/bin/env bash
# Regenerates the demo call recordings under test/fixtures/audio/ with flite (voice slt) and sox:
# one WAV per speaker, 8 kHz mono 16-bit PCM (what a G.711 call carries), sentences separated by
# silence so the VAD sees utterance boundaries, plus a lowercase reference transcript per WAV.
set -euo pipefail

out="$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/audio"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# $1 = name; remaining args = sentences. Each sentence is followed by 0.9 s of silence.
make_speaker() {
  local name="$1"
  shift
  local parts=() i=0
  sox -n -r 8000 -c 1 -b 16 "$work/pause.wav" trim 0 0.9
  sox -n -r 8000 -c 1 -b 16 "$work/lead.wav" trim 0 0.5
  parts+=("$work/lead.wav")
  : >"$out/$name.txt"
  for sentence in "$@"; do
    flite -voice slt -t "$sentence" -o "$work/$name-$i.raw.wav"
    sox "$work/$name-$i.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$work/$name-$i.wav" rate -v
    parts+=("$work/$name-$i.wav" "$work/pause.wav")
    printf '%s ' "$sentence" >>"$out/$name.txt"
    i=$((i + 1))
  done
  sox "${parts[@]}" -r 8000 -c 1 -b 16 -e signed-integer "$out/$name.wav"
  # Reference transcript: lowercase words, no punctuation, one line.
  tr 'A-Z' 'a-z' <"$out/$name.txt" | tr -d '.,?!' | tr -s ' ' | sed 's/ $//' >"$work/ref.txt"
  mv "$work/ref.txt" "$out/$name.txt"
  echo >>"$out/$name.txt"
}

make_speaker demo-customer \
  "Hello, I am calling about my phone bill." \
  "I was charged twice this month." \
  "The same amount came out of my bank account two times." \
  "Also my internet keeps dropping every evening." \
  "It has been like this for about a week now." \
  "Can you help me fix this today?"

make_speaker demo-agent \
  "Thank you for calling customer service." \
  "My name is Sarah, how can I help you?" \
  "Let me check your account for you." \
  "I can see the second payment on your account." \
  "I will send the money back to your card." \
  "Is there anything else I can do for you?"

soxi -d "$out/demo-customer.wav" "$out/demo-agent.wav"
