import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from 'ws';
import { CallsModel } from '../../web/src/state/CallsModel.js';
import { locatePath, splitPath } from '../../web/src/state/jsonPath.js';
import { FilteredMessages, MessageLog, subKey, type MessageFilter } from '../../web/src/state/MessageLog.js';
import { safeUrl, type StreamRecord } from '../../web/src/state/records.js';
import { Store } from '../../web/src/state/Store.js';
import { StreamClient, type ReceivedFrame } from '../../client/src/StreamClient.js';
import { annotateTranscript } from '../../web/src/state/TranscriptText.js';
import { SyntheticCall } from './syntheticCalls.js';

let seq = 0;
function frame(record: object): ReceivedFrame {
  const withSeq = { sequenceNumber: String(++seq), ...record } as StreamRecord;
  return { record: withSeq, raw: JSON.stringify(withSeq) };
}

function transcribe(
  callId: string,
  resultId: string,
  channel: string,
  text: string,
  partial: boolean,
  start = 1,
) {
  return {
    'detail-type': 'Transcribe',
    metadata: JSON.stringify({ callId }),
    TranscriptEvent: {
      ResultId: resultId,
      StartTime: start,
      EndTime: start + 1,
      IsPartial: partial,
      ChannelId: channel,
      Alternatives: [{ Transcript: text, Items: [], Entities: null }],
    },
  };
}

function manualStore(cap?: number) {
  const pending: (() => void)[] = [];
  const store = new Store({ schedule: (flush) => pending.push(flush), ...(cap ? { messageCap: cap } : {}) });
  return { store, flush: () => pending.splice(0).forEach((f) => f()) };
}

describe('StreamClient over a real WebSocket server', () => {
  test('reconnects with ?from= the last sequence number and drops replayed duplicates', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    const asked: string[] = [];
    server.on('connection', (ws, request) => {
      const from = Number(new URL(request.url!, 'http://x').searchParams.get('from'));
      asked.push(String(from));
      // A server that overlaps its replay by two records, then drops the connection after three.
      const start = Math.max(1, from - 1);
      for (let s = start; s < start + 3; s++)
        ws.send(JSON.stringify({ sequenceNumber: String(s), 'detail-type': 'x' }));
      if (asked.length < 3) setTimeout(() => ws.terminate(), 20);
    });
    const received: string[] = [];
    const client = new StreamClient({
      url: (from) => `ws://127.0.0.1:${port}/ws?from=${from}`,
      open: (url) => new WebSocket(url),
      onFrames: (frames) => received.push(...frames.map((f) => f.record.sequenceNumber)),
      backoffMs: [10],
    });
    client.start();
    const deadline = Date.now() + 5000;
    while (received.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    client.stop();
    for (const ws of server.clients) ws.terminate();
    await new Promise((resolve) => server.close(resolve));
    assert.deepEqual(asked, ['0', '3', '4']);
    assert.deepEqual(received, ['1', '2', '3', '4', '5']);
    assert.equal(client.duplicates, 4);
    assert.equal(client.status.lastSeq, '5');
    assert.equal(client.status.state, 'closed');
  });
});

describe('Store', () => {
  test('applies everything received between two frames in one batch, with one change notification', () => {
    const { store, flush } = manualStore();
    let notified = 0;
    store.subscribe(() => notified++);
    const call = new SyntheticCall();
    const records = [...call.start(), ...call.next(), ...call.next()].map(frame);
    store.receive(records.slice(0, 3));
    store.receive(records.slice(3));
    assert.equal(store.log.received, 0, 'nothing applied before the frame');
    flush();
    assert.equal(notified, 1);
    assert.equal(store.log.received, records.length);
    assert.equal(store.lastSeq, records.at(-1)!.record.sequenceNumber);
    assert.equal(store.calls.get(call.callId)?.segments.length, 2);
  });

  test('a flush stops at its time budget and the rest follows in the next frame', () => {
    let clock = 0;
    const pending: (() => void)[] = [];
    const store = new Store({ schedule: (f) => pending.push(f), budgetMs: 8, now: () => (clock += 1) });
    store.receive(Array.from({ length: 1000 }, () => frame({ 'detail-type': 'x' })));
    pending.shift()!();
    assert.ok(store.log.received > 0 && store.log.received < 1000, `applied ${store.log.received}`);
    assert.equal(pending.length, 1, 'rescheduled');
    while (pending.length) pending.shift()!();
    assert.equal(store.log.received, 1000);
  });
});

describe('MessageLog and FilteredMessages', () => {
  const types = ['Transcribe', 'Transcribe', 'Media Insights State Change', 'Transcribe', 'Recording'];

  function filled(cap = 100) {
    const log = new MessageLog(cap);
    for (const [i, type] of types.entries()) {
      const { record, raw } = frame({
        'detail-type': type,
        ...(type === 'Transcribe' ? { TranscriptEvent: { IsPartial: i === 0 } } : {}),
        note: i === 3 ? 'needle' : 'hay',
      });
      log.append(record, raw, i < 2 ? 'call-a' : 'call-b');
    }
    log.trim();
    return log;
  }
  const filter = (f: Partial<MessageFilter>): MessageFilter => ({
    types: new Set(),
    callId: null,
    text: '',
    ...f,
  });

  test('counts per type and sub-type; ticking types shows exactly their messages', () => {
    const log = filled();
    const all = new FilteredMessages(log, filter({}));
    assert.equal(all.items.length, 5);
    assert.equal(all.count('Transcribe'), 3);
    assert.equal(all.count(subKey('Transcribe', 'partial')), 1);
    assert.equal(all.count(subKey('Transcribe', 'final')), 2);
    const some = new FilteredMessages(log, filter({ types: new Set(['Transcribe', 'Recording']) }));
    assert.deepEqual(
      some.items.map((e) => e.type),
      ['Transcribe', 'Transcribe', 'Transcribe', 'Recording'],
    );
    const finals = new FilteredMessages(log, filter({ types: new Set([subKey('Transcribe', 'final')]) }));
    assert.equal(finals.items.length, 2);
  });

  test('call and text filters scope the counts; search is case-insensitive', () => {
    const log = filled();
    const byCall = new FilteredMessages(log, filter({ callId: 'call-b' }));
    assert.equal(byCall.items.length, 3);
    assert.equal(byCall.count('Transcribe'), 1);
    const byText = new FilteredMessages(log, filter({ text: 'NEEDLE' }));
    assert.deepEqual(
      byText.items.map((e) => e.index),
      [3],
    );
  });

  test('the cap drops the oldest, and the filtered view and its counts follow incrementally', () => {
    const log = new MessageLog(3);
    const view = new FilteredMessages(log, filter({ types: new Set(['Transcribe']) }));
    for (const type of types) {
      const { record, raw } = frame({ 'detail-type': type });
      log.append(record, raw, null);
      log.trim();
      view.update();
    }
    assert.equal(log.evicted, 2);
    assert.deepEqual(
      log.entries.map((e) => e.type),
      ['Media Insights State Change', 'Transcribe', 'Recording'],
    );
    assert.equal(view.items.length, 1);
    assert.equal(view.count('Transcribe'), 1);
    assert.equal(view.count('Recording'), 1);
  });

  test('forgetting an erased call drops its entries; a filtered view and its counts start over, then follow', () => {
    const log = filled();
    const view = new FilteredMessages(log, filter({ types: new Set(['Transcribe']) }));
    assert.equal(view.items.length, 3);
    assert.equal(log.forget('call-a'), 2);
    assert.equal(log.forget('call-a'), 0, 'already gone');
    view.update();
    assert.deepEqual(
      log.entries.map((e) => e.callId),
      ['call-b', 'call-b', 'call-b'],
    );
    assert.equal(log.evicted, 0, 'erasure is not the cap');
    assert.equal(log.firstIndex, 2);
    assert.equal(log.at(1), undefined);
    assert.equal(log.at(3)!.index, 3);
    assert.equal(log.isForgotten('call-a'), true);
    assert.equal(log.isForgotten('call-b'), false);
    assert.deepEqual(
      view.items.map((e) => e.index),
      [3],
    );
    assert.equal(view.count('Transcribe'), 1);
    assert.equal(view.count(subKey('Transcribe', 'partial')), 0);
    const { record, raw } = frame({ 'detail-type': 'Transcribe' });
    log.append(record, raw, 'call-c');
    view.update();
    assert.deepEqual(
      view.items.map((e) => e.index),
      [3, 5],
    );
    assert.equal(view.count('Transcribe'), 2);
  });
});

describe('CallsModel', () => {
  function apply(model: CallsModel, record: object) {
    const { record: r } = frame(record);
    return model.apply(r, model.callIdOf(r));
  }

  test('partials update their utterance in place until the final replaces them; an empty final clears it', () => {
    const model = new CallsModel();
    apply(model, transcribe('c1', 'r1', 'ch_0', 'hello', true));
    apply(model, transcribe('c1', 'r1', 'ch_0', 'hello there', true));
    apply(model, transcribe('c1', 'r2', 'ch_1', 'hi', true, 0.5));
    let call = model.get('c1')!;
    assert.deepEqual(
      call.segments.map((s) => [s.key, s.text, s.partial, s.role]),
      [
        ['r2', 'hi', true, 'AGENT'],
        ['r1', 'hello there', true, 'CUSTOMER'],
      ],
    );
    apply(model, transcribe('c1', 'r1', 'ch_0', 'hello there friend', false));
    apply(model, transcribe('c1', 'r2', 'ch_1', '', false, 0.5));
    call = model.get('c1')!;
    assert.deepEqual(
      call.segments.map((s) => [s.key, s.text, s.partial]),
      [['r1', 'hello there friend', false]],
    );
  });

  test('a ParticipantRole in the records overrides the default channel mapping', () => {
    const model = new CallsModel();
    apply(model, {
      'detail-type': 'TranscribeCallAnalytics',
      metadata: JSON.stringify({ callId: 'c2' }),
      UtteranceEvent: {
        UtteranceId: 'u1',
        ParticipantRole: 'AGENT',
        ChannelId: 'ch_0',
        IsPartial: false,
        Transcript: 'hi',
        Sentiment: 'POSITIVE',
      },
    });
    apply(model, transcribe('c2', 'r1', 'ch_0', 'later', false, 5));
    const call = model.get('c2')!;
    assert.deepEqual(
      call.segments.map((s) => s.role),
      ['AGENT', 'AGENT'],
    );
    assert.equal(call.currentSentiment.AGENT, 'POSITIVE');
  });

  test('a synthetic call builds the full picture: phase, pipeline, sentiment, alerts, recording, summary', () => {
    const model = new CallsModel();
    const synthetic = new SyntheticCall();
    const records = [
      ...synthetic.start(),
      ...Array.from({ length: synthetic.length }, () => synthetic.next()).flat(),
    ];
    for (const record of records) apply(model, record);
    let call = model.get(synthetic.callId)!;
    assert.equal(call.phase, 'live');
    assert.equal(call.pipelines.get(synthetic.pipelineId)?.status, 'InProgress');
    assert.equal(call.segments.length, synthetic.length);
    assert.ok(call.segments.every((s) => !s.partial));
    assert.ok(call.sentiment.CUSTOMER.length > 0 && call.sentiment.AGENT.length > 0);
    assert.deepEqual(
      call.alerts.map((a) => a.kind),
      ['rule', 'category'],
    );
    assert.ok(call.segments.some((s) => s.alerts.includes('cancellation-intent')));
    for (const record of synthetic.end()) apply(model, record);
    call = model.get(synthetic.callId)!;
    assert.equal(call.phase, 'ended');
    assert.equal(call.pipelines.get(synthetic.pipelineId)?.status, 'Stopped');
    assert.equal(call.recordings.length, 1);
    assert.match(call.summary ?? '', /charged twice/);
  });

  test("the pipeline's channel definitions re-map utterances that had the default role", () => {
    const model = new CallsModel();
    apply(model, transcribe('c4', 'r1', 'ch_0', 'hello', false));
    assert.equal(model.get('c4')!.segments[0]!.role, 'CUSTOMER');
    assert.equal(model.setChannelRoles('c4', new Map([[0, 'AGENT']])), true);
    assert.equal(model.get('c4')!.segments[0]!.role, 'AGENT');
    apply(model, transcribe('c4', 'r2', 'ch_0', 'again', false, 3));
    assert.equal(model.get('c4')!.segments[1]!.role, 'AGENT');
    assert.equal(model.setChannelRoles('c4', new Map([[0, 'AGENT']])), false);
  });

  test('voice tone: the caller (isCaller) is the CUSTOMER', () => {
    const model = new CallsModel();
    apply(model, {
      'detail-type': 'VoiceToneAnalysisStatus',
      detail: {
        callId: 'c3',
        isCaller: true,
        detailStatus: 'VoiceToneAnalysisSuccessful',
        voiceToneAnalysisDetails: {
          currentAverageVoiceTone: {
            voiceToneLabel: 'negative',
            voiceToneScore: { positive: 0.1, negative: 0.7, neutral: 0.2 },
          },
        },
      },
    });
    const call = model.get('c3')!;
    assert.equal(call.sentiment.CUSTOMER.length, 1);
    assert.ok(Math.abs(call.sentiment.CUSTOMER[0]!.value + 0.6) < 1e-9);
    assert.equal(call.currentSentiment.CUSTOMER, 'NEGATIVE');
  });

  test('records without a callId find their call through the transaction or the pipeline', () => {
    const model = new CallsModel();
    const synthetic = new SyntheticCall();
    for (const record of synthetic.start()) apply(model, record);
    const viaPipeline = apply(model, {
      'detail-type': 'Recording',
      mediaInsightsPipelineId: synthetic.pipelineId,
      s3MediaObjectConsoleUrl: 'javascript:alert(1)',
    });
    assert.equal(viaPipeline?.callId, synthetic.callId);
    assert.equal(model.get(synthetic.callId)!.recordings[0]!.url, null, 'no javascript: URL');
    const viaTransaction = apply(model, {
      'detail-type': 'Media Insights Rules Matched',
      detail: { transactionId: synthetic.transactionId, ruleName: 'r' },
    });
    assert.equal(viaTransaction?.callId, synthetic.callId);
  });
});

describe('transcript text', () => {
  test('PII is replaced by its type and never kept; issues are marked', () => {
    const text = 'My card number is 4111 1111 and I was charged twice.';
    const pieces = annotateTranscript(
      text,
      [{ content: '4111 1111', type: 'CREDIT_DEBIT_NUMBER' }],
      [{ begin: 38, end: 51 }],
    );
    assert.deepEqual(pieces, [
      { kind: 'text', text: 'My card number is ', issue: false },
      { kind: 'pii', type: 'CREDIT_DEBIT_NUMBER', issue: false },
      { kind: 'text', text: ' and I was ', issue: false },
      { kind: 'text', text: 'charged twice', issue: true },
      { kind: 'text', text: '.', issue: false },
    ]);
    assert.ok(!JSON.stringify(pieces).includes('4111'));
  });

  test('already redacted [PII] marks become chips too', () => {
    assert.deepEqual(annotateTranscript('card [PII] ok', [], []), [
      { kind: 'text', text: 'card ', issue: false },
      { kind: 'pii', type: 'PII', issue: false },
      { kind: 'text', text: ' ok', issue: false },
    ]);
  });
});

describe('helpers', () => {
  test('safeUrl keeps http(s) and relative URLs only', () => {
    assert.equal(safeUrl('https://example.com/a.wav'), 'https://example.com/a.wav');
    assert.equal(safeUrl('/recordings/a.wav'), 'http://localhost/recordings/a.wav');
    assert.equal(safeUrl('javascript:alert(1)'), null);
    assert.equal(safeUrl('data:text/html,x'), null);
  });

  test('API problem paths locate their text in the document', () => {
    assert.deepEqual(splitPath('Elements[2].A.B'), ['Elements', 2, 'A', 'B']);
    const text = '{"Elements":[{"Type":"X","XConfiguration":{"LanguageCode":"fr-FR"}}]}';
    const at = locatePath(text, 'Elements[0].XConfiguration.LanguageCode')!;
    assert.equal(text.slice(at.from, at.to), '"LanguageCode":"fr-FR"');
    const missing = locatePath(text, 'Elements[0].Nope')!;
    assert.equal(
      text.slice(missing.from, missing.to),
      '{"Type":"X","XConfiguration":{"LanguageCode":"fr-FR"}}',
    );
  });
});
