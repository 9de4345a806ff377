import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PII_TYPES } from '../../src/analytics/PiiTypes.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';
import { fliteVoice, spokenScript } from '../../scripts/lib/Speech.js';
import { startCallsight, type RunningCallsight, authFetch } from '../helpers/callsight.js';
import {
  EVERYTHING_TO_THE_STREAM,
  startPipelineOnEveryCall,
  writeConfigFile,
} from '../helpers/configFile.js';
import { webhookEndpoint, type WebhookEndpoint } from '../helpers/webhookEndpoint.js';
import { RecordCollector, callIdOf, detailOf, type StreamFrame } from '../helpers/wsRecords.js';
import { parseStereo, rmsDbfs, type StereoWav } from '../recording/wavTools.js';
import { REDACTION_MARGIN_MS } from '../../src/pipeline/processors/RecordingProcessor.js';

/**
 * A customer reads out PII of every type (flite, voice rms, through SIP and RTP), with pauses that
 * end utterances in the middle of a number and between a cue and its value, on the example
 * full-analytics configuration (examples/full-analytics.yaml: redaction on, categories, alerts,
 * voice tone, recording, stream) plus a webhook sink for every record and a webhook rule for every
 * event. Then everything written is searched for what was read out: the records on the WebSocket
 * (partials included), the webhook bodies, the post-call document, the logs (debug level) and every
 * file in the data folder (the SQLite stream, call directory, post-call store). The recording is
 * kept redacted and unredacted (ContentRedactionOutput `redacted_and_unredacted`), so that the
 * redacted one can be measured against the other: silence in every redacted span, every other
 * sample unchanged.
 */
const SCRIPT: readonly (string | number)[] = [
  800,
  'Hi, my name is Maria Garcia.',
  1200,
  'My card number is four one one one, one one one one,',
  1400,
  'one one one one, one one one one.',
  1200,
  'It expires oh four twenty seven, and the security code is seven three one.',
  1200,
  'My social security number is one two three, four five, six seven eight nine.',
  1200,
  'You can reach me at two oh six, five five five, zero one nine eight.',
  1200,
  'My pin is four four two nine.',
  1200,
  'My account number is',
  1400,
  'five five six seven, eight nine one two.',
  1200,
  'The routing number is zero two one zero zero zero zero two one.',
  1200,
  'My email is john dot smith at gmail dot com.',
  1200,
  'I live at one twenty three Main Street, Springfield, Illinois.',
  1500,
];

/** What was read out, as digits and as the words said: none of it may be written anywhere. */
const SECRETS = [
  'maria garcia',
  'garcia',
  '4111111111111111',
  'four one one one',
  'one one one one',
  '0427',
  'seven three one',
  '123456789',
  'one two three four',
  'four five six seven',
  '2065550198',
  'five five five zero',
  'zero one nine eight',
  '4429',
  'four four two',
  '55678912',
  'six seven eight nine',
  '021000021',
  'zero two one zero',
  'john dot smith',
  'smith at gmail',
  'twenty three main',
  'main street',
];

/** Three or more number words in a row (homophones included): only PII was read out as numbers. */
const NUMBER_RUN =
  /\b(?:zero|oh|o|one|won|two|to|too|three|four|for|five|six|seven|eight|ate|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|double)(?:\s+(?:zero|oh|o|one|won|two|to|too|three|four|for|five|six|seven|eight|ate|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|double)){2,}\b/;

/** Every text in a JSON value: its strings, and the word Items of a transcript read as one text. */
function textsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value.toLowerCase());
  else if (Array.isArray(value)) {
    const contents = value.map((v) => (v as { Content?: unknown } | null)?.Content);
    if (contents.length > 0 && contents.every((c) => typeof c === 'string'))
      out.push(contents.join(' ').toLowerCase());
    for (const v of value) textsOf(v, out);
  } else if (value !== null && typeof value === 'object')
    for (const v of Object.values(value)) textsOf(v, out);
  return out;
}

/**
 * Whether `text` holds `secret`. A secret in digits counts only as a number of its own outside a
 * JSON number value: logs and records are full of numbers (times, offsets, ports, sizes) and a
 * four-digit PIN is bound to turn up inside one of them by chance ("BeginOffsetMillis":4429).
 */
function holds(text: string, secret: string): boolean {
  if (!/^\d+$/.test(secret)) return text.includes(secret);
  return new RegExp(`(?<![\\d:.\\-])${secret}(?!\\d)`).test(text);
}

/** What in `texts` gives PII away (empty: nothing). */
function leaks(where: string, texts: readonly string[]): string[] {
  const found: string[] = [];
  for (const text of texts) {
    const run = NUMBER_RUN.exec(text);
    if (run !== null) found.push(`${where}: "${run[0]}" in "${text.slice(0, 200)}"`);
    for (const secret of SECRETS) if (holds(text, secret)) found.push(`${where}: "${secret}"`);
  }
  return found;
}

function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

/** examples/full-analytics.yaml, with every record also POSTed to `url` and every event by a rule. */
function configFile(url: string): string {
  const example = parse(
    readFileSync(new URL('../../examples/full-analytics.yaml', import.meta.url), 'utf8'),
  ) as {
    configurations: { MediaInsightsPipelineConfigurationName: string; Elements: object[] }[];
    categories: object[];
  };
  const [configuration] = example.configurations;
  assert.ok(configuration);
  const tca = configuration.Elements[0] as {
    AmazonTranscribeCallAnalyticsProcessorConfiguration: Record<string, unknown>;
  };
  tca.AmazonTranscribeCallAnalyticsProcessorConfiguration.PostCallAnalyticsSettings = {
    OutputLocation: 's3://callsight-post-call',
    DataAccessRoleArn: 'arn:aws:iam::000000000000:role/callsight',
    ContentRedactionOutput: 'redacted_and_unredacted',
  };
  configuration.Elements.push({
    Type: 'LambdaFunctionSink',
    LambdaFunctionSinkConfiguration: { InsightsTarget: url },
  });
  return writeConfigFile(
    {
      configurations: [configuration],
      categories: example.categories,
      rules: [
        EVERYTHING_TO_THE_STREAM,
        startPipelineOnEveryCall(
          'start-full-analytics',
          configuration.MediaInsightsPipelineConfigurationName,
        ),
        {
          name: 'every-event-to-a-webhook',
          eventPattern: { source: ['aws.chime', 'callsight'] },
          targets: [{ webhook: { url } }],
        },
      ],
    },
    { prefix: 'callsight-pii-' },
  );
}

describe('nothing that redaction removes is written anywhere, on a real call reading out PII', () => {
  let callsight: RunningCallsight;
  let live: RecordCollector;
  let webhook: WebhookEndpoint;
  let frames: StreamFrame[];
  let postCall: unknown;
  let callStartedAt: number;

  before(async () => {
    webhook = await webhookEndpoint();
    callsight = await startCallsight({
      env: { CALLSIGHT_CONFIG: configFile(webhook.url), LOG_LEVEL: 'debug' },
    });
    live = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
    await live.opened;
    const caller = await SipCaller.open('127.0.0.1');
    try {
      await caller.call({
        host: '127.0.0.1',
        port: callsight.sipPort,
        fromNumber: '+15555550123',
        toNumber: '+18005550100',
        samples: spokenScript(fliteVoice('rms'), SCRIPT),
        tailMs: 800,
      });
    } finally {
      caller.close();
    }
    const ended = await live.waitFor((f) => detailOf(f).streamingStatus === 'ENDED', 30_000, 'ENDED');
    const callId = callIdOf(ended)!;
    const started = live.frames.find(
      (f) => detailOf(f).streamingStatus === 'ALL_STARTED' && callIdOf(f) === callId,
    );
    callStartedAt = Date.parse(detailOf(started!).startTime as string);
    // Generous: recognition runs behind real time on a loaded machine.
    await live.waitFor(
      (f) => f['detail-type'] === 'Summarization' && callIdOf(f) === callId,
      180_000,
      'the summary',
    );
    await live.waitFor((f) => detailOf(f).eventType === 'chime:MediaInsightsStopped', 180_000, 'the stop');
    frames = live.frames.filter((f) => callIdOf(f) === callId || detailOf(f).callId === callId);
    const response = await authFetch(`http://127.0.0.1:${callsight.httpPort}/api/calls/${callId}/analytics`);
    assert.equal(response.status, 200);
    postCall = await response.json();
  });

  after(async () => {
    live?.close();
    await new Promise((resolve) => webhook?.server.close(resolve));
    await callsight?.stop();
  });

  test('the recogniser heard the PII and it was redacted: entities of every type, [PII] in partials too', () => {
    const utterances = frames
      .filter((f) => f['detail-type'] === 'TranscribeCallAnalytics')
      .map(
        (f) => f.UtteranceEvent as { IsPartial: boolean; Transcript: string; Entities: { Type: string }[] },
      );
    const finals = utterances.filter((u) => !u.IsPartial);
    const types = new Set(finals.flatMap((u) => u.Entities.map((e) => e.Type)));
    process.stderr.write(`finals: ${finals.map((u) => u.Transcript).join(' | ')}\n`);
    assert.deepEqual(
      PII_TYPES.filter((t) => !types.has(t)),
      [],
      'types not found',
    );
    assert.ok(
      utterances.some((u) => u.IsPartial && u.Transcript.includes('[PII]')),
      'masked partials',
    );
  });

  test('no record on the stream holds it: partials, finals, categories, alerts, the summary', () => {
    assert.ok(frames.some((f) => f['detail-type'] === 'Summarization'));
    assert.deepEqual(leaks('stream', textsOf(frames)), []);
  });

  test('no webhook body holds it (the records sink and the events rule)', () => {
    assert.ok(
      webhook.bodies.some((b) => b.includes('TranscribeCallAnalytics')),
      'records reached the webhook',
    );
    assert.deepEqual(leaks('webhook', textsOf(webhook.events)), []);
  });

  test('the post-call document does not hold it', () => {
    assert.ok(JSON.stringify(postCall).includes('[PII]'));
    assert.deepEqual(leaks('post-call', textsOf(postCall)), []);
  });

  test('the redacted recording is digital silence in every redacted span of the caller, and unchanged elsewhere', async () => {
    const recording = frames.find((f) => f['detail-type'] === 'Recording') as
      (StreamFrame & { metadata: string; s3MediaObjectConsoleUrl: string }) | undefined;
    assert.ok(recording, 'a Recording record');
    const metadata = JSON.parse(recording.metadata) as { startTime: string; oneTimeMetadata: string };
    const urls = JSON.parse(metadata.oneTimeMetadata) as {
      s3RecordingUrl?: string;
      s3RecordingUrlRedacted?: string;
    };
    assert.ok(urls.s3RecordingUrl && urls.s3RecordingUrlRedacted, 'both URLs in oneTimeMetadata');
    assert.equal(
      recording.s3MediaObjectConsoleUrl,
      urls.s3RecordingUrlRedacted,
      'the record links the redacted copy',
    );
    // The post-call document and its event carry the same two URLs, under Transcribe's Media names.
    const media = { MediaFileUri: urls.s3RecordingUrl, RedactedMediaFileUri: urls.s3RecordingUrlRedacted };
    assert.deepEqual((postCall as { Media?: unknown }).Media, media, 'the post-call document');
    const event = webhook.events.find(
      (e) => e['detail-type'] === 'Call Analytics Post Call Job State Change',
    ) as { detail: { Media?: unknown } } | undefined;
    assert.deepEqual(event?.detail.Media, media, 'the post-call event');
    const fetchWav = async (url: string): Promise<StereoWav> => {
      const { pathname, search } = new URL(url);
      const response = await authFetch(`http://127.0.0.1:${callsight.httpPort}${pathname}${search}`);
      assert.equal(response.status, 200, url);
      return parseStereo(Buffer.from(await response.arrayBuffer()), url);
    };
    const plain = await fetchWav(urls.s3RecordingUrl);
    const redacted = await fetchWav(urls.s3RecordingUrlRedacted);
    assert.equal(redacted.left.length, plain.left.length);

    // Call time → file position: the file starts at its first sample's time (metadata.startTime).
    const originMs = Date.parse(metadata.startTime) - callStartedAt;
    const at = (ms: number) => Math.min(plain.left.length, Math.max(0, Math.round((ms - originMs) * 16)));
    const entities = frames
      .filter((f) => f['detail-type'] === 'TranscribeCallAnalytics')
      .map((f) => f.UtteranceEvent as { IsPartial: boolean; ParticipantRole: string; Entities: Entity[] })
      .filter((u) => !u.IsPartial && u.ParticipantRole === 'CUSTOMER')
      .flatMap((u) => u.Entities);
    type Entity = { Type: string; BeginOffset: number; EndOffset: number };
    assert.ok(entities.length >= 11, `entities: ${entities.length}`);

    // Inside each entity's words, and its margin: silence on the left (the caller's channel, ch_0).
    const silenced = new Uint8Array(plain.left.length);
    const rows: string[] = [];
    let worst = -Infinity;
    for (const e of entities) {
      // The file position of a time is exact to about a millisecond (ISO times): 2 ms slack at the edges.
      const [from, to] = [
        at(e.BeginOffset - REDACTION_MARGIN_MS + 2),
        at(e.EndOffset + REDACTION_MARGIN_MS - 2),
      ];
      silenced.fill(
        1,
        at(e.BeginOffset - REDACTION_MARGIN_MS - 2),
        at(e.EndOffset + REDACTION_MARGIN_MS + 2),
      );
      const inside = redacted.left.subarray(at(e.BeginOffset), at(e.EndOffset));
      const padded = redacted.left.subarray(from, to);
      worst = Math.max(worst, rmsDbfs(padded));
      const before = plain.left.subarray(at(e.BeginOffset - REDACTION_MARGIN_MS), at(e.BeginOffset));
      const after = plain.left.subarray(at(e.EndOffset), at(e.EndOffset + REDACTION_MARGIN_MS));
      rows.push(
        `${e.Type} ${((e.EndOffset - e.BeginOffset) / 1000).toFixed(2)} s: unredacted ${rmsDbfs(plain.left.subarray(at(e.BeginOffset), at(e.EndOffset))).toFixed(1)} dBFS, redacted ${rmsDbfs(inside)} (with margins ${rmsDbfs(padded)}); margins before ${rmsDbfs(before).toFixed(1)} / after ${rmsDbfs(after).toFixed(1)} dBFS in the unredacted`,
      );
      assert.ok(
        padded.every((x) => x === 0),
        `${e.Type} at ${e.BeginOffset}–${e.EndOffset} ms is digital silence`,
      );
    }
    let differing = 0;
    let outside = 0;
    for (let i = 0; i < plain.left.length; i++) {
      if (silenced[i]) continue;
      outside++;
      if (redacted.left[i] !== plain.left[i]) differing++;
    }
    assert.deepEqual(redacted.right, plain.right, 'the other channel is untouched');
    process.stderr.write(
      `redacted audio: ${entities.length} entities; worst RMS in a redacted span ${worst} dBFS; ` +
        `${differing} of ${outside} samples outside the spans differ; ` +
        `${(plain.left.length - outside) / 16000} s of ${plain.left.length / 16000} s silenced\n  ${rows.join('\n  ')}\n`,
    );
    assert.equal(differing, 0, 'outside the spans, sample-identical to the unredacted recording');
  });

  test('no log line and no file in the data folder holds it', async () => {
    await callsight.stop();
    const haystacks = [
      ...filesUnder(callsight.dataDir).filter((f) => !/\.wav(\.part)?$/.test(f.path)),
      { path: 'stdout', bytes: Buffer.from(callsight.stdout()) },
      { path: 'stderr', bytes: Buffer.from(callsight.stderr()) },
    ];
    assert.ok(haystacks.some((h) => h.path.endsWith('stream.db') || h.path.endsWith('stream.db-wal')));
    assert.ok(callsight.stdout().length > 0, 'debug logs were written');
    assert.deepEqual(
      haystacks.flatMap((h) => leaks(h.path, [h.bytes.toString('latin1').toLowerCase()])),
      [],
    );
  });
});
