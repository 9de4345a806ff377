import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VoskEngine, type VoskEngineOptions } from '../../../src/transcribe/engines/vosk/VoskEngine.js';
import { PocketsphinxEngine } from '../../../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import { SpeechEngines } from '../../../src/transcribe/SpeechEngines.js';
import type { RecognitionResult } from '../../../src/transcribe/SpeechEngineTypes.js';
import { frames, readAudio16k } from '../audio.js';
import { assertResultOrder, speechEngineContract } from '../SpeechEngineContract.js';
import { RecognizerBackend } from '../servers/RecognizerBackend.js';
import { VoskServer } from '../servers/VoskServer.js';

const DEMO = new URL('../../fixtures/audio/demo-customer.wav', import.meta.url).pathname;

function engineOn(endpoint: string, overrides: Partial<VoskEngineOptions> = {}): VoskEngine {
  return new VoskEngine({
    name: 'vosk',
    endpoint,
    chunkMs: 100,
    reconnectAttempts: 2,
    reconnectInitialDelayMs: 50,
    reconnectMaxDelayMs: 200,
    maxBufferedMs: 60_000,
    ...overrides,
  });
}

speechEngineContract('vosk', async () => {
  const backend = new RecognizerBackend();
  await backend.ready();
  let server = new VoskServer(backend);
  const endpoint = await server.listen();
  const port = Number(new URL(endpoint).port);
  const fallback = new PocketsphinxEngine({ name: 'fallback', workers: 1 });
  await fallback.ready();
  const engines = new SpeechEngines(
    [engineOn(endpoint), fallback],
    new Map([['vosk', 'fallback']]),
    'fallback',
  );
  return {
    engines,
    name: 'vosk',
    // The server goes away: every reconnect is refused, so the stream gives up and fails over.
    breakEngine: () => server.close(),
    repairEngine: async () => {
      server = new VoskServer(backend, port);
      await server.listen();
    },
    // pocketsphinx behind the server measured 45–55 % here.
    maxWer: 0.65,
    close: async () => {
      await engines.close();
      await server.close();
      await backend.close();
    },
  };
});

describe('VoskEngine', () => {
  const backend = new RecognizerBackend();
  let server: VoskServer;
  let endpoint: string;

  before(async () => {
    await backend.ready();
    server = new VoskServer(backend);
    endpoint = await server.listen();
  });
  after(async () => {
    await server.close();
    await backend.close();
  });

  test('configures the sample rate, then reconnects after a dropped connection and carries on', async () => {
    server.dropAfterMessages = 60; // 6 s into the call
    const engine = engineOn(endpoint);
    const stream = engine.openStream({ channel: 0, role: null, settings: { languageCode: 'en-US' } });
    const results: RecognitionResult[] = [];
    stream.on('result', (r) => results.push(r));
    const samples = readAudio16k(DEMO);
    for (const frame of frames(samples)) stream.write(frame);
    await stream.end();
    assert.deepEqual(server.configs[0], { sample_rate: 16000, words: 1 });
    assert.equal(server.connections, 2, 'one reconnect');
    assertResultOrder(results);
    const finals = results.filter((r) => !r.isPartial);
    assert.ok(finals.at(-1)!.endMs > 15_000, 'audio after the reconnect was transcribed');
    assert.match(finals.map((f) => f.transcript).join(' '), /every evening/);
    await engine.close();
  });
});
