import { z } from 'zod';
import { CallsightError } from '../platform/errors.js';
import { secretRefSchema } from '../platform/secrets.js';

/**
 * The config file's `speechEngines:` list: the engines a call analytics configuration can choose by
 * name (its `CallsightSpeechEngine`). The embedded pocketsphinx engine is always there, named
 * `pocketsphinx`, and is the default. Credentials are references (`{ env: NAME }` or
 * `{ file: PATH }`), read when the engine starts and never logged. Example (YAML):
 *
 *   speechEngines:
 *     - name: whisper
 *       kind: openai
 *       endpoint: http://127.0.0.1:8081/v1/audio/transcriptions
 *       fallback: pocketsphinx
 *     - name: aws
 *       kind: amazon-transcribe
 *       region: eu-west-1
 *       accessKeyId: { env: AWS_ACCESS_KEY_ID }
 *       secretAccessKey: { file: /run/secrets/aws-secret }
 */

export const EMBEDDED_ENGINE = 'pocketsphinx';

const engineName = z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, _ . - (1–64 characters)');
const httpUrl = z
  .string()
  .refine((v) => /^https?:\/\/[^\s/]+(\/\S*)?$/.test(v), 'an http(s) URL such as http://127.0.0.1:8081/…');

const common = {
  name: engineName,
  /** Another engine's name: a stream this engine fails goes on there for the rest of the call. */
  fallback: engineName.optional(),
  /** Unrecognised audio a stream may hold before it fails with CS_ERR_ASR_OVERLOADED. */
  maxBufferedMs: z.number().int().min(1_000).max(600_000).default(30_000),
};

const amazonTranscribe = z.strictObject({
  ...common,
  kind: z.literal('amazon-transcribe'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1'),
  /** Absent: AWS's own endpoint for the region. */
  endpoint: httpUrl.optional(),
  /** Absent (with secretAccessKey): the AWS SDK's default chain (environment, ~/.aws, instance role). */
  accessKeyId: secretRefSchema.optional(),
  secretAccessKey: secretRefSchema.optional(),
  sessionToken: secretRefSchema.optional(),
});

const openai = z.strictObject({
  ...common,
  kind: z.literal('openai'),
  /** The transcription URL: …/v1/audio/transcriptions (whisper.cpp: its --inference-path). */
  endpoint: httpUrl,
  apiKey: secretRefSchema.optional(),
  model: z.string().min(1).max(200).default('whisper-1'),
  /** Requests in flight at once to this server; more wait in a queue (its delay is a metric). */
  maxConcurrency: z.number().int().min(1).max(256).default(2),
  /** 0: finals only; else the growing utterance is sent for a partial every this many ms of speech. */
  partialIntervalMs: z.number().int().min(0).max(60_000).default(0),
  requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
});

const vosk = z.strictObject({
  ...common,
  kind: z.literal('vosk'),
  /** The server's WebSocket URL, e.g. ws://127.0.0.1:2700. */
  endpoint: z.string().refine((v) => /^wss?:\/\/[^\s/]+(\/\S*)?$/.test(v), 'a ws(s) URL'),
  /** Audio per WebSocket message. */
  chunkMs: z.number().int().min(20).max(1_000).default(100),
  /** Reconnects after a dropped connection, waiting initialDelayMs, doubling up to maxDelayMs. */
  reconnectAttempts: z.number().int().min(0).max(100).default(5),
  reconnectInitialDelayMs: z.number().int().min(10).max(60_000).default(250),
  reconnectMaxDelayMs: z.number().int().min(10).max(300_000).default(5_000),
});

const engineSchema = z.discriminatedUnion('kind', [amazonTranscribe, openai, vosk]);
export const speechEnginesSchema = z.array(engineSchema).max(100);

export type SpeechEngineDefinition = z.infer<typeof engineSchema>;

/** Validates the list: schema, unique names, fallbacks that exist and do not loop. */
export function parseSpeechEngines(input: unknown, where = 'speechEngines'): SpeechEngineDefinition[] {
  const parsed = speechEnginesSchema.safeParse(input);
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${[where, ...issue.path].join('.')}: ${issue.message}`);
  const engines = parsed.success ? parsed.data : [];
  const names = new Set([EMBEDDED_ENGINE]);
  engines.forEach((engine, i) => {
    if (names.has(engine.name))
      problems.push(`${where}.${i}.name: ${JSON.stringify(engine.name)} is already an engine's name`);
    names.add(engine.name);
  });
  const fallbackOf = new Map(engines.map((e) => [e.name, e.fallback]));
  engines.forEach((engine, i) => {
    if (engine.fallback === undefined) return;
    if (!names.has(engine.fallback)) {
      problems.push(`${where}.${i}.fallback: no engine is named ${JSON.stringify(engine.fallback)}`);
      return;
    }
    const seen = new Set([engine.name]);
    for (let next: string | undefined = engine.fallback; next !== undefined; next = fallbackOf.get(next)) {
      if (seen.has(next)) {
        problems.push(`${where}.${i}.fallback: falls back in a loop (${[...seen, next].join(' → ')})`);
        break;
      }
      seen.add(next);
    }
  });
  if (problems.length > 0)
    throw new CallsightError('CS_ERR_CONFIG_INVALID', `invalid speech engines:\n  ${problems.join('\n  ')}`);
  return engines;
}
