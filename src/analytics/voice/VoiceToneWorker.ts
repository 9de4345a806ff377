import { parentPort } from 'node:worker_threads';
import { FeatureWindows } from './FeatureWindows.js';
import { FrameAnalyzer } from './FrameAnalyzer.js';
import { PitchTracker } from './PitchTracker.js';
import type { FromVoiceWorker, ToVoiceWorker } from './VoiceToneProtocol.js';
import type { AcousticWindow } from './VoiceToneTypes.js';
import { errorMessage } from '../../platform/errors.js';

/*
 * A voice tone worker thread: the acoustic analysis (FrameAnalyzer → FeatureWindows) of every
 * stream assigned to it, off the event loop that carries SIP and RTP. It reports one AcousticWindow
 * per 5 s of each stream's audio; scoring happens on the main thread, where the words are.
 */

const port = parentPort;
if (!port) throw new Error('VoiceToneWorker must run in a worker thread');

/** Audio more than this far from where the stream's last audio ended starts a new segment. */
const GAP_MS = 100;

interface StreamState {
  analyzer: FrameAnalyzer;
  readonly windows: FeatureWindows;
  /** Media time where the last audio ended, null at the start of a segment. */
  nextMs: number | null;
  busyMs: number;
  audioMs: number;
}

const pitch = new PitchTracker();
const streams = new Map<number, StreamState>();

function post(message: FromVoiceWorker): void {
  port!.postMessage(message);
}

function report(streamId: number, windows: readonly AcousticWindow[]): void {
  for (const window of windows) post({ type: 'window', streamId, window });
}

/** Ends the stream's segment: the analyzer's last frames and the partial window. */
function endSegment(streamId: number, state: StreamState): void {
  const started = performance.now();
  const windows = state.windows.push(state.analyzer.flush());
  const last = state.windows.flush();
  if (last) windows.push(last);
  state.analyzer = new FrameAnalyzer(pitch);
  state.nextMs = null;
  state.busyMs += performance.now() - started;
  report(streamId, windows);
}

function handle(message: ToVoiceWorker): void {
  switch (message.type) {
    case 'open':
      streams.set(message.streamId, {
        analyzer: new FrameAnalyzer(pitch),
        windows: new FeatureWindows(),
        nextMs: null,
        busyMs: 0,
        audioMs: 0,
      });
      return;
    case 'audio': {
      const state = streams.get(message.streamId);
      if (!state) return;
      if (state.nextMs !== null && Math.abs(message.offsetMs - state.nextMs) > GAP_MS) {
        endSegment(message.streamId, state);
      }
      const samples = new Int16Array(message.samples);
      const started = performance.now();
      const windows = state.windows.push(state.analyzer.processInput(samples, message.offsetMs));
      state.busyMs += performance.now() - started;
      state.audioMs += samples.length / 16;
      state.nextMs = message.offsetMs + samples.length / 16;
      report(message.streamId, windows);
      return;
    }
    case 'flush': {
      const state = streams.get(message.streamId);
      if (state) endSegment(message.streamId, state);
      post({ type: 'flushed', streamId: message.streamId, requestId: message.requestId });
      return;
    }
    case 'end': {
      const state = streams.get(message.streamId);
      streams.delete(message.streamId);
      if (state) endSegment(message.streamId, state);
      post({
        type: 'ended',
        streamId: message.streamId,
        busyMs: state?.busyMs ?? 0,
        audioMs: state?.audioMs ?? 0,
      });
      return;
    }
    case 'crash':
      throw new Error('voice tone worker crash requested (test hook)');
    case 'close':
      port!.close();
      return;
  }
}

port.on('message', (message: ToVoiceWorker) => {
  const streamId = 'streamId' in message ? message.streamId : null;
  if (message.type === 'crash' || streamId === null) return handle(message);
  try {
    handle(message);
  } catch (err) {
    // A stream whose analysis threw is dropped; the worker and its other streams go on.
    streams.delete(streamId);
    post({ type: 'stream-error', streamId, message: errorMessage(err) });
  }
});
post({ type: 'ready' });
