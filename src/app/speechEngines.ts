import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import diagnostics_channel from 'node:diagnostics_channel';
import type { Config } from './config/Config.js';
import type { Logger } from '../platform/logger.js';
import { readSecret } from '../platform/secrets.js';
import type { EngineKinds } from '../configurations/EngineSupport.js';
import {
  decoderCountsByEngine,
  QUEUE_DELAY_CHANNEL,
  type QueueDelayMessage,
} from '../transcribe/EngineDiagnostics.js';
import { AmazonTranscribeEngine } from '../transcribe/engines/aws/AmazonTranscribeEngine.js';
import { OpenAiEngine } from '../transcribe/engines/openai/OpenAiEngine.js';
import { VoskEngine } from '../transcribe/engines/vosk/VoskEngine.js';
import { PocketsphinxEngine } from '../transcribe/pocketsphinx/PocketsphinxEngine.js';
import { EMBEDDED_ENGINE, type SpeechEngineDefinition } from '../transcribe/SpeechEngineConfig.js';
import { SpeechEngines } from '../transcribe/SpeechEngines.js';
import { INSTALL_HINT } from '../transcribe/pocketsphinx/PocketsphinxLibrary.js';
import { CallsightError } from '../platform/errors.js';
import { missingModelFiles, setting } from './startChecks.js';

/** Where Debian's pocketsphinx-en-us puts the model (asr.modelDir's default). */
const DEFAULT_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
import type { SpeechEngine } from '../transcribe/SpeechEngineTypes.js';

/** The engines configurations may name: the embedded one and the config file's `speechEngines:`. */
export function engineKinds(config: Config): EngineKinds {
  return new Map([
    [EMBEDDED_ENGINE, 'pocketsphinx'],
    ...config.speechEngines.map((e) => [e.name, e.kind] as const),
  ]);
}

/** One declared engine, its credentials read now (never logged). */
export function createSpeechEngine(definition: SpeechEngineDefinition, logger: Logger): SpeechEngine {
  const what = `speechEngines ${definition.name}`;
  const log = logger.child({ engine: definition.name });
  switch (definition.kind) {
    case 'openai':
      return new OpenAiEngine({
        name: definition.name,
        endpoint: definition.endpoint,
        ...(definition.apiKey ? { apiKey: readSecret(definition.apiKey, `${what} apiKey`) } : {}),
        model: definition.model,
        maxConcurrency: definition.maxConcurrency,
        partialIntervalMs: definition.partialIntervalMs,
        requestTimeoutMs: definition.requestTimeoutMs,
        maxBufferedMs: definition.maxBufferedMs,
        logger: log,
      });
    case 'vosk':
      return new VoskEngine({ ...definition, logger: log });
    case 'amazon-transcribe': {
      const { accessKeyId, secretAccessKey, sessionToken } = definition;
      const credentials =
        accessKeyId && secretAccessKey
          ? {
              accessKeyId: readSecret(accessKeyId, `${what} accessKeyId`),
              secretAccessKey: readSecret(secretAccessKey, `${what} secretAccessKey`),
              ...(sessionToken ? { sessionToken: readSecret(sessionToken, `${what} sessionToken`) } : {}),
            }
          : undefined;
      return new AmazonTranscribeEngine({
        name: definition.name,
        region: definition.region,
        ...(definition.endpoint ? { endpoint: definition.endpoint } : {}),
        ...(credentials ? { credentials } : {}),
        maxBufferedMs: definition.maxBufferedMs,
        logger: log,
      });
    }
  }
}

/**
 * The embedded pocketsphinx engine (loaded and ready) and every declared engine, with their
 * fallbacks; null when speech recognition is switched off (`asr.enabled` false).
 */
export async function startSpeechEngines(config: Config, logger: Logger): Promise<SpeechEngines | null> {
  if (!config.asr.enabled) return null;
  const modelDir = config.asr.modelDir || DEFAULT_MODEL_DIR;
  const missing = missingModelFiles(modelDir);
  if (missing.length > 0)
    throw new CallsightError(
      'CS_ERR_ASR_UNAVAILABLE',
      `the speech model is missing (${missing.join(', ')}): install it (${INSTALL_HINT}), set ${setting('asr.modelDir')} to the folder that has it, or turn speech recognition off with ${setting('asr.enabled')} false`,
    );
  const embedded = new PocketsphinxEngine({
    name: EMBEDDED_ENGINE,
    // Named only when set: the default model gets the telephone front end tuned for it.
    ...(config.asr.modelDir
      ? {
          hmm: join(modelDir, 'en-us'),
          lm: join(modelDir, 'en-us.lm.bin'),
          dict: join(modelDir, 'cmudict-en-us.dict'),
        }
      : {}),
    workers: config.asr.workers > 0 ? config.asr.workers : availableParallelism(),
    profile: config.asr.profile,
    numberPass: config.asr.numberPass,
    decoders: {
      maxPerWorker: config.asr.maxDecodersPerWorker,
      waitMs: config.asr.decoderWaitMs,
      idleMs: config.asr.decoderIdleSeconds * 1000,
    },
    logger,
  });
  const declared = config.speechEngines.map((definition) => createSpeechEngine(definition, logger));
  const fallbacks = new Map(
    config.speechEngines.flatMap((e) => (e.fallback ? [[e.name, e.fallback] as const] : [])),
  );
  const engines = new SpeechEngines([embedded, ...declared], fallbacks);
  await engines.ready();
  return engines;
}

/**
 * `callsight_asr_queue_delay_seconds{engine}`: how long requests waited for a free slot of their
 * engine; `callsight_asr_decoders{engine,state}`, `callsight_asr_decoder_queue{engine}` and
 * `callsight_asr_decoder_refusals_total{engine}`: the embedded engine's decoders.
 */
export function registerSpeechEngineMetrics(registry: Registry): void {
  new Gauge({
    name: 'callsight_asr_decoders',
    help: 'Pocketsphinx decoders loaded, by state: busy (decoding an utterance) or idle (freed after asr.decoderIdleSeconds).',
    labelNames: ['engine', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [engine, counts] of decoderCountsByEngine()) {
        this.labels(engine, 'busy').set(counts.busy);
        this.labels(engine, 'idle').set(counts.idle);
      }
    },
  });
  new Gauge({
    name: 'callsight_asr_decoder_queue',
    help: 'Recognition streams whose utterance waits for a pocketsphinx decoder (all asr.maxDecodersPerWorker busy).',
    labelNames: ['engine'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [engine, counts] of decoderCountsByEngine()) this.labels(engine).set(counts.waiting);
    },
  });
  new Counter({
    name: 'callsight_asr_decoder_refusals_total',
    help: 'Recognition streams failed with CS_ERR_ASR_OVERLOADED because no decoder came free within asr.decoderWaitMs.',
    labelNames: ['engine'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [engine, counts] of decoderCountsByEngine()) this.labels(engine).inc(counts.refused);
    },
  });
  const histogram = new Histogram({
    name: 'callsight_asr_queue_delay_seconds',
    help: 'Time an utterance waited for a free request slot of its speech engine (openai engines: maxConcurrency).',
    labelNames: ['engine'],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const listener = (message: unknown): void => {
    const { engine, delayMs } = message as QueueDelayMessage;
    histogram.labels(engine).observe(delayMs / 1000);
  };
  // For the process's life, as the registry it feeds.
  diagnostics_channel.subscribe(QUEUE_DELAY_CHANNEL, listener);
}
