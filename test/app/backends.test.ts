import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openBackends, opened, type Backends } from '../../src/app/backends.js';
import { loadConfig } from '../../src/app/config/Config.js';
import { SqliteCallDirectory } from '../../src/calls/SqliteCallDirectory.js';
import { recordFrame } from '../../src/gateway/RecordFrame.js';
import { CallsightError } from '../../src/platform/errors.js';
import { silentLogger } from '../../src/platform/logger.js';
import { tempDir } from '../gateway/wsHarness.js';

/** A data folder Callsight 0.1.0 wrote (test/fixtures/data-0.1.0/README.md), and what 0.1.0 served from it. */
const FIXTURE = new URL('../fixtures/data-0.1.0/', import.meta.url).pathname;
const EXPECTED = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8')) as {
  records: [sequenceNumber: string, frameSha256: string][];
  configurations: { MediaInsightsPipelineConfigurationName: string }[];
  connections: { watcherLastSequence: string; filtered: object };
  call: {
    info: { callId: string };
    endedAt: number;
    pipeline: { MediaPipelineId: string; Status: string; MediaInsightsPipelineConfigurationName: string };
  };
  postCall: object;
};
const CALL_ID = EXPECTED.call.info.callId;

const tmp = tempDir('callsight-upgrade-');
after(tmp.cleanup);
let counter = 0;

/** A copy of the 0.1.0 data folder, so that the fixture itself is never migrated. */
function copyOfFixture(): string {
  const dir = path.join(tmp.dir, `${++counter}`);
  fs.mkdirSync(dir);
  for (const file of ['stream.db', 'callsight.db'])
    fs.copyFileSync(path.join(FIXTURE, file), path.join(dir, file));
  return dir;
}

const open = (dataDir: string) => openBackends(loadConfig(), dataDir, silentLogger);

function migrationsIn(file: string): { store: string; version: number }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare('SELECT store, version FROM callsight_schema_migrations ORDER BY store, version')
      .all() as { store: string; version: number }[];
  } finally {
    db.close();
  }
}

const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** Asserts that today's stores find everything 0.1.0 stored in the data folder. */
async function assertFindsEverything(backends: Backends, dataDir: string): Promise<void> {
  const stream = opened(backends.stream, 'stream');
  const records = await stream.read('0', 1000);
  assert.deepEqual(
    records.map((r) => [r.sequenceNumber, createHash('sha256').update(recordFrame(r)).digest('hex')]),
    EXPECTED.records,
  );
  assert.equal(stream.lastSequence(), EXPECTED.records.at(-1)![0]);

  const configurations = opened(backends.configurations, 'configurations');
  for (const expected of EXPECTED.configurations)
    assert.deepEqual(
      json(await configurations.get(expected.MediaInsightsPipelineConfigurationName)),
      expected,
    );
  const listed = await configurations.list();
  assert.deepEqual(
    listed.MediaInsightsPipelineConfigurations.map((c) => c.MediaInsightsPipelineConfigurationName).sort(),
    EXPECTED.configurations.map((c) => c.MediaInsightsPipelineConfigurationName).sort(),
  );

  const connections = await opened(backends.registry, 'registry').list('all');
  assert.equal(connections.length, 2);
  assert.ok(connections.every((c) => c.disconnectedAt !== null));
  const watcher = connections.find((c) => c.filters.from === '0');
  assert.equal(watcher?.lastSequenceSent, EXPECTED.connections.watcherLastSequence);
  assert.deepEqual(json(connections.find((c) => c !== watcher)?.filters), EXPECTED.connections.filtered);

  assert.deepEqual(json(await opened(backends.postCall, 'postCall').get(CALL_ID)), EXPECTED.postCall);

  const directory = SqliteCallDirectory.open({ path: path.join(dataDir, 'callsight.db') });
  try {
    const call = await directory.getCall(CALL_ID);
    assert.deepEqual(json(call?.info), EXPECTED.call.info);
    assert.equal(call?.endedAt, EXPECTED.call.endedAt);
    const pipelines = await directory.listPipelines({ callId: CALL_ID });
    assert.deepEqual(
      pipelines.map((p) => [p.pipelineId, p.status, p.configurationName, json(p.document)]),
      [
        [
          EXPECTED.call.pipeline.MediaPipelineId,
          EXPECTED.call.pipeline.Status,
          EXPECTED.call.pipeline.MediaInsightsPipelineConfigurationName,
          EXPECTED.call.pipeline,
        ],
      ],
    );
  } finally {
    await directory.close();
  }
}

describe('openBackends on a data folder written by Callsight 0.1.0', () => {
  test('finds every record, configuration, connection, call and post-call document, and brings each store to its latest version', async () => {
    const dataDir = copyOfFixture();
    assert.throws(() => migrationsIn(path.join(dataDir, 'callsight.db')), /no such table/);
    const backends = await open(dataDir);
    try {
      await assertFindsEverything(backends, dataDir);
    } finally {
      await backends.close();
    }
    assert.deepEqual(migrationsIn(path.join(dataDir, 'stream.db')), [
      { store: 'data stream', version: 1 },
      { store: 'data stream', version: 2 },
    ]);
    assert.deepEqual(migrationsIn(path.join(dataDir, 'callsight.db')), [
      { store: 'call directory', version: 1 },
      { store: 'call directory', version: 2 },
      { store: 'call directory', version: 3 },
      { store: 'configurations', version: 1 },
      { store: 'configurations', version: 2 },
      { store: 'connection registry', version: 1 },
      { store: 'post-call analytics', version: 1 },
      { store: 'vocabularies', version: 1 },
      { store: 'vocabulary-filters', version: 1 },
    ]);

    // Opening the upgraded folder again migrates nothing and still finds everything; the stream goes on.
    const again = await open(dataDir);
    try {
      await assertFindsEverything(again, dataDir);
      const next = await opened(again.stream, 'stream').append(
        { type: 'after-upgrade' },
        {
          type: 'after-upgrade',
          callId: null,
        },
      );
      assert.equal(next, String(EXPECTED.records.length + 1));
    } finally {
      await again.close();
    }
    assert.equal(migrationsIn(path.join(dataDir, 'callsight.db')).length, 9);
  });

  test('a data folder a newer Callsight migrated is refused, naming the folder', async () => {
    const dataDir = copyOfFixture();
    await (await open(dataDir)).close();
    // What a later release that added configurations version 3 leaves behind.
    const db = new Database(path.join(dataDir, 'callsight.db'));
    db.prepare(
      "INSERT INTO callsight_schema_migrations (store, version, name, applied_at) VALUES ('configurations', 3, 'future', 0)",
    ).run();
    db.close();
    await assert.rejects(open(dataDir), (err: unknown) => {
      assert.ok(err instanceof CallsightError);
      assert.equal(err.code, 'CS_ERR_CONFIG_INVALID');
      assert.ok(
        err.message.startsWith(
          `the configurations in ${path.join(dataDir, 'callsight.db')} (data folder ${dataDir}) was written by a newer Callsight: it is at schema version 3, this Callsight knows versions up to 2.`,
        ),
        err.message,
      );
      return true;
    });
    // The stores opened before the refusal were closed again: nothing holds the WAL files open.
    assert.deepEqual(fs.readdirSync(dataDir).sort(), ['callsight.db', 'stream.db']);
  });
});
