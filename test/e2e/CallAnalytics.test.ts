import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readWav } from '../../src/media/wav/WavFile.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';
import { startCallsight, type RunningCallsight, authFetch } from '../helpers/callsight.js';
import { recordingElement, STREAM_SINK_ELEMENT, writeConfigFile } from '../helpers/configFile.js';
import { RecordCollector, callIdOf, detailOf, type StreamFrame } from '../helpers/wsRecords.js';

const WAV = new URL('../fixtures/audio/angry-customer.wav', import.meta.url).pathname;
const SCRIPT = JSON.parse(
  readFileSync(new URL('../fixtures/audio/angry-customer.json', import.meta.url), 'utf8'),
) as {
  sentences: { text: string; speechSeconds: number }[];
};
/** What the customer reads out, as the recogniser writes it and as digits: neither may be stored. */
const SECRETS = ['four one one one one one one one', '4111111111111111', '4111 1111'];

const configuration = {
  MediaInsightsPipelineConfigurationName: 'analytics',
  RealTimeAlertConfiguration: {
    Rules: [
      {
        Type: 'Sentiment',
        SentimentConfiguration: { RuleName: 'angry-caller', SentimentType: 'NEGATIVE', TimePeriod: 60 },
      },
      { Type: 'IssueDetection', IssueDetectionConfiguration: { RuleName: 'issue-raised' } },
      { Type: 'KeywordMatch', KeywordMatchConfiguration: { RuleName: 'said-angry', Keywords: ['angry'] } },
    ],
  },
  Elements: [
    {
      Type: 'AmazonTranscribeCallAnalyticsProcessor',
      AmazonTranscribeCallAnalyticsProcessorConfiguration: {
        LanguageCode: 'en-US',
        ContentRedactionType: 'PII',
        PiiEntityTypes: 'ALL',
        CallAnalyticsStreamCategories: ['upset-customer'],
      },
    },
    STREAM_SINK_ELEMENT,
    recordingElement('recordings'),
  ],
};

const categories = [
  {
    CategoryName: 'upset-customer',
    InputType: 'REAL_TIME',
    Rules: [
      {
        TranscriptFilter: {
          TranscriptFilterType: 'EXACT',
          Targets: ['really angry', 'very frustrated'],
          ParticipantRole: 'CUSTOMER',
        },
      },
    ],
  },
];

function configFile(): string {
  return writeConfigFile(
    { configurations: [configuration], categories, pipeline: { defaultConfiguration: 'analytics' } },
    { prefix: 'callsight-analytics-' },
  );
}

/** Every file under `dir`, recursively, as raw bytes (SQLite databases and their WAL included). */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

const utterance = (f: StreamFrame) =>
  f.UtteranceEvent as {
    IsPartial: boolean;
    Transcript: string;
    Sentiment?: string;
    ParticipantRole: string;
    IssuesDetected?: { CharacterOffsets: { Begin: number; End: number } }[];
    Entities?: { Type: string; Content: string }[];
    Items: { Content: string }[];
  };

describe('call analytics on a real call: redaction, sentiment, issues, categories, alerts, post-call', () => {
  let callsight: RunningCallsight;
  let live: RecordCollector;
  let callId: string;
  let frames: StreamFrame[];

  before(async () => {
    callsight = await startCallsight({ env: { CALLSIGHT_CONFIG: configFile(), LOG_LEVEL: 'debug' } });
    live = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
    await live.opened;
    const caller = await SipCaller.open('127.0.0.1');
    try {
      await caller.call({
        host: '127.0.0.1',
        port: callsight.sipPort,
        fromNumber: '+15555550123',
        toNumber: '+18005550100',
        samples: readWav(WAV).samples,
        tailMs: 800,
      });
    } finally {
      caller.close();
    }
    const ended = await live.waitFor((f) => detailOf(f).streamingStatus === 'ENDED', 15_000, 'ENDED');
    callId = callIdOf(ended)!;
    await live.waitFor(
      (f) => f['detail-type'] === 'Summarization' && callIdOf(f) === callId,
      30_000,
      'the summary',
    );
    await live.waitFor(
      (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped',
      30_000,
      'the pipeline to stop',
    );
    frames = live.frames.filter((f) => callIdOf(f) === callId || detailOf(f).callId === callId);
  });

  after(async () => {
    live?.close();
    const code = await callsight?.stop();
    assert.equal(code, 0, callsight?.stderr());
  });

  test('the card number is redacted in transcripts and items, and marked as an entity', () => {
    const finals = frames
      .filter((f) => f['detail-type'] === 'TranscribeCallAnalytics')
      .map(utterance)
      .filter((u) => !u.IsPartial);
    const card = finals.find((u) => u.Entities?.some((e) => e.Type === 'CREDIT_DEBIT_NUMBER'));
    assert.ok(card, `no utterance with a card number: ${finals.map((u) => u.Transcript).join(' | ')}`);
    assert.match(card.Transcript, /\[PII\]/);
    assert.ok(card.Items.some((i) => i.Content === '[PII]'));
    assert.ok(finals.every((u) => u.ParticipantRole === 'CUSTOMER'));
    assert.ok(!frames.some((f) => f['detail-type'] === 'Transcribe'), 'no unredacted Transcribe records');
  });

  test('sentiment, issues and the category are found', () => {
    const finals = frames
      .filter((f) => f['detail-type'] === 'TranscribeCallAnalytics')
      .map(utterance)
      .filter((u) => !u.IsPartial);
    assert.ok(
      finals.some((u) => u.Sentiment === 'NEGATIVE'),
      finals.map((u) => `${u.Sentiment}: ${u.Transcript}`).join(' | '),
    );
    const issue = finals.find((u) => (u.IssuesDetected?.length ?? 0) > 0);
    assert.ok(issue, 'an issue was detected');
    const { Begin, End } = issue.IssuesDetected![0]!.CharacterOffsets;
    assert.ok(Begin >= 0 && End > Begin && End <= issue.Transcript.length);
    const category = frames.find((f) => f['detail-type'] === 'TranscribeCallAnalyticsCategoryEvent');
    assert.ok(category, 'a category event');
    assert.deepEqual((category.CategoryEvent as { MatchedCategories: string[] }).MatchedCategories, [
      'upset-customer',
    ]);
  });

  test("real-time alerts fire once per rule and occurrence, in Chime's shape", () => {
    const alerts = frames.filter((f) => f['detail-type'] === 'Media Insights Rules Matched').map(detailOf);
    const names = alerts.map((a) => a.ruleName as string);
    assert.ok(names.includes('angry-caller'), `rules matched: ${names.join()}`);
    assert.ok(names.includes('issue-raised'), `rules matched: ${names.join()}`);
    assert.equal(names.filter((n) => n === 'said-angry').length, 1);
    for (const alert of alerts)
      assert.ok(typeof alert.beginTimestamp === 'string' || typeof alert.utteranceId === 'string');
  });

  test('the post-call analytics are announced and served; talk time matches the audio within 10 %', async () => {
    const announced = frames.find((f) => f['detail-type'] === 'Call Analytics Post Call Job State Change');
    assert.ok(announced, 'post-call event');
    const response = await authFetch(`http://127.0.0.1:${callsight.httpPort}/api/calls/${callId}/analytics`);
    assert.equal(response.status, 200);
    const analytics = (await response.json()) as {
      ConversationCharacteristics: {
        TalkTime: { DetailsByParticipant: { CUSTOMER?: { TotalTimeMillis: number } } };
      };
      Transcript: { Content: string }[];
    };
    const expectedMs = SCRIPT.sentences.reduce((sum, s) => sum + s.speechSeconds * 1000, 0);
    const talkMs =
      analytics.ConversationCharacteristics.TalkTime.DetailsByParticipant.CUSTOMER?.TotalTimeMillis ?? 0;
    process.stderr.write(
      `post-call customer talk time ${talkMs} ms, speech in the audio ${Math.round(expectedMs)} ms\n`,
    );
    assert.ok(
      Math.abs(talkMs - expectedMs) / expectedMs <= 0.1,
      `talk time ${talkMs} ms vs ${Math.round(expectedMs)} ms`,
    );
    assert.ok(analytics.Transcript.some((t) => t.Content.includes('[PII]')));
    const summary = frames.find((f) => f['detail-type'] === 'Summarization')!;
    assert.ok((summary.summarization as string).length > 20);
  });

  test('no redacted value is anywhere on disk or in the logs afterwards', async () => {
    await callsight.stop();
    const haystacks = [
      ...filesUnder(callsight.dataDir).filter(
        (f) => !f.path.endsWith('.wav') && !f.path.endsWith('.wav.part'),
      ),
      { path: 'stdout', bytes: Buffer.from(callsight.stdout()) },
      { path: 'stderr', bytes: Buffer.from(callsight.stderr()) },
    ];
    assert.ok(haystacks.some((h) => h.path.endsWith('stream.db') || h.path.endsWith('stream.db-wal')));
    for (const { path, bytes } of haystacks) {
      const text = bytes.toString('latin1');
      for (const secret of SECRETS) assert.ok(!text.includes(secret), `"${secret}" found in ${path}`);
    }
    // The Recording record (its metadata included) carries no transcript at all.
    const recording = frames.find((f) => f['detail-type'] === 'Recording');
    assert.ok(recording, 'a Recording record');
    for (const secret of SECRETS) assert.ok(!JSON.stringify(recording).includes(secret));
  });
});
