#!/usr/bin/env bash
# Regenerates the labelled voice tone set under test/fixtures/voice-tone/ (docs/voice-tone.md): the
# same six sentences spoken calm, neutral and agitated by four flite voices and four espeak-ng
# voices, each through a telephone line (120 Hz high-pass, 8 kHz G.711 µ-law WAV, as a call carries
# it), plus labels.tsv. Styles:
#   calm      slow, low and flat pitch, quiet        (flite: duration ×1.2–1.4, F0 ×0.84–0.92, F0 spread ×0.3–0.5;
#                                                      espeak-ng: 115–135 wpm, pitch 22–35, range low, word gaps)
#   neutral   the voice's defaults, ±3 %
#   agitated  fast, high and varying pitch, loud    (flite: duration ×0.68–0.8, F0 ×1.3–1.5, F0 spread ×2.2–3;
#                                                      espeak-ng: 220–260 wpm, pitch 70–85, range x-high, "!")
# Loudness: peak −15…−12 dBFS calm, −9…−7 neutral, −3…−1 agitated, then a fixed "line gain" per voice
# (0 to −4 dB) so that absolute level says little across voices. Parameters are drawn from a seeded
# generator: the same flite and espeak-ng versions give the same files.
# Voices rms, kal and en-gb-x-rp+Annie are the held-out split; the others tune the model.
set -euo pipefail

out="$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/voice-tone"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
rm -f "$out"/*.wav

sentences=(
  "I am calling about my order."
  "The package was supposed to arrive on Monday."
  "Can you tell me what happened to my account?"
  "I have been waiting for twenty minutes."
  "Please check the payment today."
  "This is the third time I called."
)

seed=20240611
# rnd LO HI: a uniform draw with two decimals, from the seeded sequence.
rnd() {
  seed=$((seed + 7919))
  awk -v s="$seed" -v lo="$1" -v hi="$2" 'BEGIN { srand(s); printf "%.2f", lo + rand() * (hi - lo) }'
}
mul() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a * b }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }

# telephone SRC DEST PEAK_DB: leading and trailing silence cut to 0.15 s, high-pass, 8 kHz,
# peak-normalised to PEAK_DB, µ-law.
telephone() {
  sox "$1" -r 8000 -c 1 -e u-law -b 8 "$2" \
    gain -6 silence 1 0.02 0.3% reverse silence 1 0.02 0.3% reverse pad 0.15 0.15 \
    highpass 120 rate -v 8000 gain -n "$3"
}

printf 'file\tvoice\tengine\tstyle\tsentence\tsplit\n' >"$out/labels.tsv"
label() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$out/labels.tsv"; }

split_of() {
  case "$1" in rms | kal | en-gb-x-rp+Annie) echo held-out ;; *) echo tune ;; esac
}

# flite voices: name, F0 mean (Hz) and F0 spread (Hz) of its own neutral reading, line gain (dB), and
# how pitch is changed: "target" (flite's int_f0_target_* features) or "shift" (the rms voice ignores
# those: sox's pitch effect moves it by the same ratio, its spread stays as it is).
flite_voice() {
  local voice="$1" f0="$2" sd="$3" line="$4" mode="$5" i=0 style
  for sentence in "${sentences[@]}"; do
    for style in calm neutral agitated; do
      local stretch f0x sdx peak text="$sentence"
      case "$style" in
        calm) stretch=$(rnd 1.2 1.4) f0x=$(rnd 0.84 0.92) sdx=$(rnd 0.3 0.5) peak=$(rnd -15 -12) ;;
        neutral) stretch=$(rnd 0.97 1.03) f0x=$(rnd 0.97 1.03) sdx=$(rnd 0.9 1.1) peak=$(rnd -9 -7) ;;
        agitated) stretch=$(rnd 0.68 0.8) f0x=$(rnd 1.3 1.5) sdx=$(rnd 2.2 3.0) peak=$(rnd -3 -1) text="${sentence%[.?]}!" ;;
      esac
      local name="flite-$voice-$style-$i"
      if [ "$mode" = target ]; then
        flite -voice "$voice" --setf duration_stretch="$stretch" --setf int_f0_target_mean="$(mul "$f0" "$f0x")" \
          --setf int_f0_target_stddev="$(mul "$sd" "$sdx")" -t "$text" -o "$work/$name.wav"
      else
        flite -voice "$voice" --setf duration_stretch="$stretch" -t "$text" -o "$work/$name.flite.wav"
        sox "$work/$name.flite.wav" "$work/$name.wav" pitch "$(awk -v r="$f0x" 'BEGIN { printf "%d", 1200 * log(r) / log(2) }')"
      fi
      telephone "$work/$name.wav" "$out/$name.wav" "$(add "$peak" "$line")"
      label "$name.wav" "$voice" flite "$style" "$i" "$(split_of "$voice")"
    done
    i=$((i + 1))
  done
}

# espeak-ng voices: name, line gain (dB).
espeak_voice() {
  local voice="$1" line="$2" i=0 style
  for sentence in "${sentences[@]}"; do
    for style in calm neutral agitated; do
      local speed pitch range gap peak text="$sentence"
      case "$style" in
        calm) speed=$(rnd 115 135) pitch=$(rnd 22 35) range=low gap=$(rnd 4 10) peak=$(rnd -15 -12) ;;
        neutral) speed=$(rnd 160 180) pitch=$(rnd 45 55) range=medium gap=0 peak=$(rnd -9 -7) ;;
        agitated) speed=$(rnd 220 260) pitch=$(rnd 70 85) range=x-high gap=0 peak=$(rnd -3 -1) text="${sentence%[.?]}!" ;;
      esac
      local name="espeak-${voice//+/-}-$style-$i"
      espeak-ng -v "$voice" -m -s "${speed%.*}" -p "${pitch%.*}" -g "${gap%.*}" -w "$work/$name.wav" \
        "<speak><prosody range=\"$range\">$text</prosody></speak>"
      telephone "$work/$name.wav" "$out/$name.wav" "$(add "$peak" "$line")"
      label "$name.wav" "$voice" espeak-ng "$style" "$i" "$(split_of "$voice")"
    done
    i=$((i + 1))
  done
}

flite_voice slt 173 14 0 target
flite_voice awb 131 12 -2 target
flite_voice rms 105 13 -4 shift
flite_voice kal 89 6 -1 target
espeak_voice en-us -3
espeak_voice en-gb 0
espeak_voice en-us+f3 -2
espeak_voice en-gb-x-rp+Annie -4

echo "$(ls "$out"/*.wav | wc -l) files, $(du -sh "$out" | cut -f1), $(soxi -T "$out"/*.wav | tail -1)"
