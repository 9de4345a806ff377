import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { planRepair, repairRecordings } from '../../src/recording/RecordingRepair.js';
import { WAV_HEADER_SIZE, WavHeader } from '../../src/media/wav/WavHeader.js';
import { ramp, readStereo, soxInfo } from './wavTools.js';

const RATE = 16_000;
const HEADER_INTERVAL_MS = 1000;
const BLOCK_MS = 100;
const root = mkdtempSync(join(tmpdir(), 'callsight-repair-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A logger whose JSON lines the test can read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

/** A stereo WAV of `frames` sample frames whose header declares `declaredBytes`, plus `extra` stray bytes. */
function wavFile(path: string, frames: number, declaredBytes: number, extra = 0): void {
  const data = Buffer.alloc(frames * 4 + extra, 1);
  writeFileSync(
    path,
    Buffer.concat([
      new WavHeader({ channels: 2, sampleRate: RATE, dataBytes: declaredBytes }).serialize(),
      data,
    ]),
  );
}

describe('recording repair', () => {
  test('kill -9 mid-call: start-up repair yields a valid WAV holding what was written, within one header interval', async (t) => {
    const dir = join(root, 'killed');
    const callDir = join(dir, 'call-1');
    mkdirSync(callDir, { recursive: true });
    const path = join(callDir, 'pipeline-1.wav');
    const fixture = fileURLToPath(new URL('./fixtures/recordUntilKilled.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    // Killed past 3 s of audio, between two header updates: half a second or more on disk that the
    // header does not declare yet.
    let lastDiskMs = 0;
    let lastHeaderMs = 0;
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [, disk, header] = /^disk (\S+) header (\S+)$/.exec(line) ?? [];
        if (disk !== undefined) [lastDiskMs, lastHeaderMs] = [Number(disk), Number(header)];
      }
      if (lastHeaderMs >= 3000 && lastDiskMs - lastHeaderMs >= 500 && child.signalCode === null)
        child.kill('SIGKILL');
    });
    assert.equal(await exited, 'SIGKILL');
    assert.ok(existsSync(`${path}.part`) && !existsSync(path), 'the crashed recording is a .part file');
    const before = readFileSync(`${path}.part`);
    const declaredMs = (WavHeader.parse(before)!.dataBytes / 4 / RATE) * 1000;
    assert.ok(declaredMs >= lastHeaderMs, 'the header on disk is at least the last one reported');
    assert.ok(before.length - WAV_HEADER_SIZE > (declaredMs / 1000) * RATE * 4, 'the header lags the data');

    const { logger, lines } = capturingLogger();
    const results = await repairRecordings(dir, logger);
    assert.equal(results.length, 1);
    const [result] = results;
    assert.equal(result!.path, path);
    assert.equal(result!.action, 'repaired');
    assert.ok(existsSync(path) && !existsSync(`${path}.part`), 'finalized under its .wav name');
    assert.ok(
      lines.some(
        (l) =>
          l.level === 40 && l.file === `${path}.part` && /recording (repaired|finalized)/.test(String(l.msg)),
      ),
      'the repair is logged with the file',
    );

    // sox reads a valid stereo WAV whose length is what the child had written: at most one header
    // interval (plus one write block) beyond the last header it reported.
    const info = soxInfo(path);
    assert.deepEqual([info.channels, info.sampleRate], [2, RATE]);
    const repairedMs = info.seconds * 1000;
    assert.ok(repairedMs >= lastDiskMs, `${repairedMs} ms repaired, ${lastDiskMs} ms were on disk`);
    assert.ok(
      repairedMs - declaredMs <= HEADER_INTERVAL_MS + BLOCK_MS,
      `${repairedMs} ms repaired, header said ${declaredMs} ms`,
    );
    assert.equal(result!.durationSeconds, info.seconds);
    t.diagnostic(
      `killed with ${lastDiskMs} ms on disk, ${declaredMs} ms declared; repaired to ${repairedMs} ms`,
    );
    // And it holds exactly the signal the child recorded, on both channels.
    const wav = readStereo(path);
    assert.equal(wav.header.riffBytes, wav.fileBytes - 8);
    assert.deepEqual(wav.left, ramp(1, wav.left.length));
    assert.deepEqual(wav.right, ramp(20_001, wav.right.length));
  });

  test('planRepair: sizes from the length, a torn sample frame cut off; nothing for a right header', () => {
    const header = new WavHeader({ channels: 2, sampleRate: RATE, dataBytes: 400 });
    assert.equal(planRepair(header, WAV_HEADER_SIZE + 400), null);
    const torn = planRepair(header, WAV_HEADER_SIZE + 1002);
    assert.deepEqual(torn?.header.toJSON(), {
      channels: 2,
      sampleRate: RATE,
      dataBytes: 1000,
      riffBytes: 1036,
      dataOffset: 44,
    });
    assert.equal(torn?.truncateTo, WAV_HEADER_SIZE + 1000);
    assert.deepEqual(
      planRepair(new WavHeader({ channels: 2, sampleRate: RATE, dataBytes: 0 }), WAV_HEADER_SIZE + 8)
        ?.truncateTo,
      null,
    );
  });

  test('a right .wav is left alone, a wrong one repaired, an empty .part removed, a foreign file left and logged', async () => {
    const dir = join(root, 'mixed');
    mkdirSync(join(dir, 'call-2'), { recursive: true });
    wavFile(join(dir, 'call-2', 'ok.wav'), 100, 400);
    wavFile(join(dir, 'call-2', 'short-header.wav'), 100, 40, 3);
    wavFile(join(dir, 'call-2', 'empty.wav.part'), 0, 0);
    writeFileSync(join(dir, 'call-2', 'notes.wav'), 'not audio');
    const { logger, lines } = capturingLogger();
    const results = await repairRecordings(dir, logger);
    assert.deepEqual(
      results.map((r) => [r.file.slice(dir.length + 1), r.action, r.declaredDataBytes, r.dataBytes]),
      [
        ['call-2/empty.wav.part', 'removed-empty', 0, 0],
        ['call-2/notes.wav', 'unreadable', null, 0],
        ['call-2/short-header.wav', 'repaired', 40, 400],
      ],
    );
    assert.ok(!existsSync(join(dir, 'call-2', 'empty.wav.part')));
    assert.equal(
      readFileSync(join(dir, 'call-2', 'short-header.wav')).length,
      WAV_HEADER_SIZE + 400,
      'torn frame cut',
    );
    assert.equal(soxInfo(join(dir, 'call-2', 'short-header.wav')).samples, 100);
    assert.equal(lines.filter((l) => l.level === 40).length, 3, 'every change is logged');
    assert.deepEqual(
      await repairRecordings(dir, logger),
      [{ ...results[1]! }],
      'a second pass changes nothing',
    );
  });
});
