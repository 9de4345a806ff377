/*
 * Speech-recognition real-time factor per channel: the pocketsphinx engine on ONE worker thread, fed
 * one channel at a time as fast as it takes it. Audio takes a call's path: 8 kHz, G.711 µ-law encode
 * and decode, 2× upsampling to 16 kHz, 20 ms frames (as scripts/eval-asr.ts does).
 */
import { decodeG711, encodeG711 } from '../src/media/codec/G711.js';
import { Upsampler2x } from '../src/media/codec/Resampler.js';
import { PocketsphinxEngine } from '../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import { demoAudio, type DemoSpeaker } from './lib/audio.js';
import { round } from './lib/stats.js';

const FRAME_SAMPLES = 320;
/** Target: 24 concurrent analysed calls (perf-anchors #3) on 2 cores ⇒ ≤ 2/24 core per speaking channel. */
export const RTF_TARGET = 0.083;

export interface RtfFile {
  readonly name: string;
  readonly audioSeconds: number;
  readonly decodeSeconds: number;
  /** Wall-clock decode time ÷ audio time. */
  readonly rtf: number;
  /** CPU time of the process (worker thread included) ÷ audio time: less sensitive to a busy machine. */
  readonly cpuRtf: number;
  readonly finals: number;
}

export interface RtfResult {
  readonly method: string;
  readonly files: RtfFile[];
  readonly audioSeconds: number;
  readonly rtf: number;
  readonly cpuRtf: number;
  /** 1 / cpuRtf: channels of continuous speech one core could keep up with. */
  readonly channelsPerCore: number;
  readonly target: string;
  readonly pass: boolean;
}

/** The audio as Callsight hands it to the engine: µ-law round trip, 16 kHz. */
function telephoneAudio(narrow: Int16Array): Int16Array {
  const line = decodeG711('PCMU', encodeG711('PCMU', narrow));
  const wide = new Int16Array(line.length * 2);
  new Upsampler2x().process(line, line.length, wide);
  return wide;
}

async function decode(engine: PocketsphinxEngine, name: DemoSpeaker): Promise<RtfFile> {
  const samples = telephoneAudio(demoAudio(name));
  const stream = engine.openStream({ channel: 0, role: null, settings: { languageCode: 'en-US' } });
  let finals = 0;
  stream.on('result', (r) => {
    if (!r.isPartial) finals++;
  });
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < samples.length; i += FRAME_SAMPLES) {
    stream.write({
      channel: 0,
      samples: samples.subarray(i, i + FRAME_SAMPLES),
      offsetMs: i / 16,
      concealed: false,
    });
  }
  await stream.end();
  const decodeSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const audioSeconds = samples.length / 16_000;
  return {
    name,
    audioSeconds: round(audioSeconds, 2),
    decodeSeconds: round(decodeSeconds, 2),
    rtf: round(decodeSeconds / audioSeconds, 3),
    cpuRtf: round((cpu.user + cpu.system) / 1e6 / audioSeconds, 3),
    finals,
  };
}

export async function measureAsrRtf(): Promise<RtfResult> {
  const engine = new PocketsphinxEngine({ workers: 1 });
  await engine.ready();
  const files: RtfFile[] = [];
  try {
    for (const name of ['demo-customer', 'demo-agent'] as const) files.push(await decode(engine, name));
  } finally {
    await engine.close();
  }
  const sum = (f: (r: RtfFile) => number) => files.reduce((acc, r) => acc + f(r), 0);
  const audioSeconds = sum((r) => r.audioSeconds);
  const cpuRtf = round(sum((r) => r.cpuRtf * r.audioSeconds) / audioSeconds, 3);
  return {
    method:
      'PocketsphinxEngine with 1 worker; demo-customer and demo-agent through G.711 µ-law and 2× upsampling, ' +
      'written in 20 ms frames as fast as accepted, one channel at a time; decode wall time ÷ audio time ' +
      '(cpuRtf: process CPU time ÷ audio time)',
    files,
    audioSeconds: round(audioSeconds, 2),
    rtf: round(sum((r) => r.decodeSeconds) / audioSeconds, 3),
    cpuRtf,
    channelsPerCore: round(1 / cpuRtf, 1),
    target: `RTF ≤ ${RTF_TARGET} (wall clock, one worker)`,
    pass: sum((r) => r.decodeSeconds) / audioSeconds <= RTF_TARGET,
  };
}

export function describeAsrRtf(r: RtfResult): string[] {
  return [
    ...r.files.map(
      (f) =>
        `  ${f.name.padEnd(14)} ${f.audioSeconds.toFixed(1)} s audio decoded in ${f.decodeSeconds.toFixed(2)} s: RTF ${f.rtf.toFixed(3)} (CPU ${f.cpuRtf.toFixed(3)}), ${f.finals} finals`,
    ),
    `  overall RTF ${r.rtf.toFixed(3)} wall, ${r.cpuRtf.toFixed(3)} CPU → ≈ ${r.channelsPerCore} channels of continuous speech per core`,
  ];
}
