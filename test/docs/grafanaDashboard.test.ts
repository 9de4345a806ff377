import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readWav } from '../../src/media/wav/WavFile.js';
import { placeCall, startCallsight, type RunningCallsight } from '../helpers/callsight.js';
import { RecordCollector, detailOf } from '../helpers/wsRecords.js';

const DASHBOARD = new URL('../../docs/grafana-dashboard.json', import.meta.url);
const METRICS_DOC = new URL('../../docs/metrics.md', import.meta.url);
const WAV = new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname;

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

/** What the issue asks every mode to expose (Prometheus names). */
const REQUIRED = [
  'callsight_calls_active',
  'callsight_calls_total',
  'callsight_sip_requests_received_total',
  'callsight_sip_responses_sent_total',
  'callsight_sip_answer_seconds',
  'callsight_rtp_packets_received_total',
  'callsight_rtp_packets_lost_total',
  'callsight_rtp_jitter_seconds',
  'callsight_asr_busy_seconds_total',
  'callsight_asr_audio_seconds_total',
  'callsight_asr_queue_depth',
  'callsight_asr_queue_lag_seconds',
  'callsight_asr_utterances_total',
  'callsight_asr_partial_latency_seconds',
  'callsight_asr_final_latency_seconds',
  'callsight_pipelines',
  'callsight_stream_records_appended_total',
  'callsight_ws_clients',
  'callsight_ws_frames_sent_total',
  'callsight_ws_slow_disconnects_total',
];

/** Every series name the exposition has: histograms and summaries with their suffixed series. */
function exposedNames(text: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.set(name!, type!);
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.set(name! + suffix, type);
  }
  return names;
}

/** The value of one series (`name{labels}`), summed over the series that match the label filter. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [, series, value] of text.matchAll(/^(\S+?(?:\{[^}]*\})?) (\S+)$/gm)) {
    const [seriesName, labelText = ''] = series!.split('{');
    if (seriesName !== name) continue;
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) sum += Number(value);
  }
  return sum;
}

describe('metrics in the default one-process mode, and the Grafana dashboard', () => {
  let callsight: RunningCallsight;
  let live: RecordCollector;
  let text: string;

  before(async () => {
    callsight = await startCallsight();
    live = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
    await live.opened;
    await placeCall(callsight.sipPort, readWav(WAV).samples.subarray(0, 16_000 * 9));
    await live.waitFor(
      (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped',
      60_000,
      'the pipeline to stop',
    );
    const res = await fetch(`http://127.0.0.1:${callsight.httpPort}/metrics`);
    assert.equal(res.status, 200);
    text = await res.text();
  });

  after(async () => {
    live?.close();
    const code = await callsight?.stop();
    assert.equal(code, 0, callsight?.stderr());
  });

  test('every metric the issue lists is exposed, and the call counted', () => {
    const names = exposedNames(text);
    const missing = REQUIRED.filter((name) => !names.has(name));
    assert.deepEqual(missing, [], 'missing on /metrics');
    assert.equal(valueOf(text, 'callsight_calls_total', { kind: 'listener', outcome: 'bye-received' }), 1);
    assert.equal(valueOf(text, 'callsight_calls_active'), 0);
    assert.ok(valueOf(text, 'callsight_sip_requests_received_total', { method: 'INVITE' }) >= 1);
    assert.ok(valueOf(text, 'callsight_sip_responses_sent_total', { method: 'INVITE', status: '200' }) >= 1);
    assert.ok(valueOf(text, 'callsight_sip_responses_sent_total', { method: 'BYE', status: '200' }) >= 1);
    assert.equal(valueOf(text, 'callsight_sip_answer_seconds_count'), 1);
    // 9 s of audio in 20 ms packets.
    assert.ok(valueOf(text, 'callsight_rtp_packets_received_total') >= 400);
    assert.ok(valueOf(text, 'callsight_asr_audio_seconds_total') >= 8, 'the worker decoded the call');
    assert.ok(valueOf(text, 'callsight_asr_busy_seconds_total') > 0);
    assert.ok(valueOf(text, 'callsight_asr_utterances_total') >= 1);
    assert.ok(valueOf(text, 'callsight_asr_final_latency_seconds_count') >= 1);
    assert.ok(valueOf(text, 'callsight_asr_partial_latency_seconds_count') >= 1);
    assert.equal(valueOf(text, 'callsight_pipelines', { state: 'Stopped' }), 1);
    assert.ok(valueOf(text, 'callsight_stream_records_appended_total', { type: 'Transcribe' }) >= 1);
    assert.ok(valueOf(text, 'callsight_ws_frames_sent_total') >= 1);
  });

  test("every metric the dashboard's queries name is one the server exposes", () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const names = exposedNames(text);
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      assert.ok(panel.targets.length > 0, panel.title);
      for (const { expr } of panel.targets)
        for (const [name] of expr.matchAll(/\bcallsight_[a-z0-9_]+/g)) {
          used.add(name);
          assert.ok(names.has(name), `${panel.title}: ${name} is not on /metrics`);
        }
    }
    const unused = REQUIRED.filter((name) => ![...used].some((u) => u === name || u.startsWith(`${name}_`)));
    assert.deepEqual(unused, [], 'required metrics without a panel');
  });

  test('docs/metrics.md lists every callsight metric the server exposes', () => {
    const doc = readFileSync(METRICS_DOC, 'utf8');
    const undocumented = [...exposedNames(text)]
      .filter(
        ([name, type]) =>
          name.startsWith('callsight_') && !(type === 'histogram' && /_(bucket|sum|count)$/.test(name)),
      )
      .map(([name]) => name)
      .filter((name) => !doc.includes(`\`${name}\``));
    assert.deepEqual(undocumented, []);
  });
});
