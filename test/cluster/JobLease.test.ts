import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterSubjects } from '../../src/cluster/ClusterSubjects.js';
import { JobLease } from '../../src/cluster/JobLease.js';
import { derivedUuid } from '../../src/cluster/PipelineJobs.js';

describe('a pipeline job lease', () => {
  test('is not held before the first confirmed heartbeat, then until AckWait after it was sent', () => {
    let now = 1000;
    const lease = new JobLease(6000, () => now);
    assert.equal(lease.valid(), false);
    lease.renewed(1000);
    now = 6000;
    assert.equal(lease.valid(), true);
    // A safety margin below the server's deadline (sent + AckWait).
    now = 6800;
    assert.equal(lease.valid(), false);
  });

  test('a late confirmation of an older heartbeat never shortens it', () => {
    let now = 0;
    const lease = new JobLease(6000, () => now);
    lease.renewed(4000);
    lease.renewed(2000);
    now = 9000;
    assert.equal(lease.valid(), true);
  });
});

describe('cluster names', () => {
  test('subjects and streams live under the namespace, tokens escaped', () => {
    const names = new ClusterSubjects('callsight');
    assert.equal(names.eventsStream, 'CALLSIGHT_EVENTS');
    assert.equal(names.jobsStream, 'CALLSIGHT_JOBS');
    assert.equal(
      names.event('Chime VoiceConnector Streaming Status', 'a.b'),
      'callsight.events.Chime%20VoiceConnector%20Streaming%20Status.a%2Eb',
    );
    assert.equal(names.audio('c-1'), 'callsight.audio.c-1');
    assert.equal(names.callEnded('c-1'), 'callsight.calls.c-1.ended');
    assert.equal(names.pipelineControl('p'), 'callsight.pipelines.p.control');
    assert.equal(new ClusterSubjects('my-site').eventsStream, 'MY_SITE_EVENTS');
  });

  test('a data stream prefix that would take in the coordination subjects is detected', () => {
    const names = new ClusterSubjects('callsight');
    assert.equal(names.overlaps('callsight.records'), false);
    assert.equal(names.overlaps('other'), false);
    assert.equal(names.overlaps('callsight'), true);
    assert.equal(names.overlaps('callsight.events.x'), true);
  });

  test('a rule makes the same pipeline id for the same event and configuration', () => {
    const id = derivedUuid('event-1', 'callsight-default');
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(derivedUuid('event-1', 'callsight-default'), id);
    assert.notEqual(derivedUuid('event-2', 'callsight-default'), id);
  });
});
