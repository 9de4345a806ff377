import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav } from '../../src/media/wav/WavFile.js';
import { WAV_HEADER_SIZE } from '../../src/media/wav/WavHeader.js';
import { authFetch, placeCall, startCallsight, type RunningCallsight } from '../helpers/callsight.js';
import { transcribeAndRecordConfig } from '../helpers/configFile.js';
import { fillDisk, mountSmallDisk } from '../helpers/smallDisk.js';
import { RecordCollector, callIdOf, detailOf } from '../helpers/wsRecords.js';

const WAV = new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'callsight-e2e-disk-full-'));
const recordingsDisk = mountSmallDisk('512k');
const dataDisk = mountSmallDisk('16m');
const skip = recordingsDisk.skip || dataDisk.skip;
if (skip) process.stderr.write(`\n*** SKIPPING the disk-full end-to-end test: ${skip} ***\n\n`);

interface Health {
  readonly recordings: { disk: string; recordingsAffected: number; lastError: string | null };
  readonly dataStream: { disk: string; held: number; lost: number; lastError: string | null };
}

const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

/**
 * One process whose recordings folder and data folder are small tmpfs disks, both filled while it
 * runs: a call is still transcribed and pushed live over the WebSocket, /healthz and /metrics show
 * both disks full, each failure is logged once, and writing resumes when the room comes back.
 */
describe('disks full end to end: recordings and data folder', { skip }, () => {
  let callsight: RunningCallsight;
  let live: RecordCollector;
  const samples = readWav(WAV).samples.subarray(0, 8000 * 6);

  before(async () => {
    callsight = await startCallsight({
      dataDir: dataDisk.path!,
      env: {
        CALLSIGHT_CONFIG: transcribeAndRecordConfig('local', { dir }),
        CALLSIGHT_RECORDING_DIR: recordingsDisk.path!,
      },
    });
    live = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
    await live.opened;
  });

  after(async () => {
    live?.close();
    await callsight?.kill();
    recordingsDisk.remove();
    dataDisk.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const health = async () =>
    (await (await authFetch(`http://127.0.0.1:${callsight.httpPort}/healthz`)).json()) as Health;
  const metrics = async () => (await authFetch(`http://127.0.0.1:${callsight.httpPort}/metrics`)).text();
  const logLines = (text: string) =>
    callsight
      .stdout()
      .split('\n')
      .filter((l) => l.includes(text));
  const callOf = async () => {
    const from = live.frames.length;
    await placeCall(callsight.sipPort, samples);
    const ended = await live.waitFor(
      (f) => live.frames.indexOf(f) >= from && detailOf(f).streamingStatus === 'ENDED',
      30_000,
      'ENDED',
    );
    const callId = callIdOf(ended)!;
    await live.waitFor(
      (f) => f['detail-type'] === 'Transcribe' && callIdOf(f) === callId,
      30_000,
      'a transcript',
    );
    await live.waitFor(
      (f) => f['detail-type'] === 'Recording' && callIdOf(f) === callId,
      30_000,
      'the Recording record',
    );
    return callId;
  };

  test('a call on full disks is transcribed and streamed; shown, counted, logged once; writing resumes', async (t) => {
    const recordingsFiller = fillDisk(recordingsDisk.path!);
    const dataFiller = fillDisk(dataDisk.path!);

    const first = await callOf();
    const full = await health();
    assert.equal(full.recordings.disk, 'full');
    assert.equal(full.recordings.recordingsAffected, 1);
    assert.equal(full.dataStream.disk, 'full');
    assert.ok(full.dataStream.held > 0, `records held: ${full.dataStream.held}`);
    t.diagnostic(
      `records held in memory: ${full.dataStream.held}, last errors ${full.recordings.lastError}, ${full.dataStream.lastError}`,
    );
    const during = await metrics();
    assert.equal(metric(during, 'callsight_recordings_disk_full_total'), 1);
    assert.equal(metric(during, 'callsight_stream_disk_full'), 1);
    assert.equal(metric(during, 'callsight_stream_disk_full_total'), 1);
    assert.equal(logLines('CS_ERR_RECORDING_DISK_FULL').length, 1, 'the recording: once for the call');
    assert.equal(logLines('data disk full').length, 1, 'the data stream: once, not per record');

    rmSync(recordingsFiller);
    rmSync(dataFiller);
    const second = await callOf();
    const back = await health();
    assert.equal(back.dataStream.disk, 'ok');
    assert.equal(back.dataStream.held, 0);
    assert.equal(back.dataStream.lost, 0);
    assert.equal(back.recordings.disk, 'ok');
    assert.equal(back.recordings.recordingsAffected, 1, 'the second call lost nothing');
    assert.equal(logLines('data disk has room again').length, 1);
    // The first call's records reached the disk after all, under the numbers they were pushed with.
    const firstLive = live.frames.filter((f) => callIdOf(f) === first).map((f) => f.sequenceNumber);
    const stored = (await (
      await authFetch(`http://127.0.0.1:${callsight.httpPort}/api/records?from=0&limit=1000`)
    ).json()) as { sequenceNumber: string }[];
    const storedNumbers = new Set(stored.map((r) => r.sequenceNumber));
    assert.deepEqual(
      firstLive.filter((n) => !storedNumbers.has(n)),
      [],
      'every record of the first call is on disk',
    );
    // The second call's recording was written whole.
    const files = readdirSync(join(recordingsDisk.path!, second), { recursive: true }) as string[];
    const wav = files.find((f) => f.endsWith('.wav'));
    assert.ok(wav, `a recording of the second call: ${files.join(', ')}`);
    assert.ok(statSync(join(recordingsDisk.path!, second, wav)).size > WAV_HEADER_SIZE + 8000 * 4 * 4);
  });
});
