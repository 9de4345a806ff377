import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPartialUpdate } from '../../../src/connector/siprec/PartialUpdate.js';
import { parseRecordingMetadata } from '../../../src/connector/siprec/RecordingMetadata.js';
import { mapStreams } from '../../../src/connector/siprec/StreamMapping.js';
import { fixture } from './support.js';

const SESSION = 'hVpd7YQgRW2nD22h7q60JQ==';
const ALICE = 'srfBElmCRp2QB23b7Mpk0w==';
const BOB = 'zSfPoSvdSDCmU3A3TRDxAw==';
const S96 = 'UAAMm5GRQKSCMVvLyl4rFw==';
const S97 = 'i1Pz3to5hGk8fuXl+PbwCw==';
const S98 = '8zc6e0lYTlWIINA6GR+3ag==';
const S99 = 'EiXGlc+4TruqqoDaNE76ag==';
const END = '2010-12-16T23:59:59Z';

const load = (name: string) => parseRecordingMetadata(fixture(name));
const complete = () => load('chime-dg-alice-bob-complete.xml');
const ns = 'urn:ietf:params:xml:ns:recording:1';
const partial = (body: string) =>
  parseRecordingMetadata(`<recording xmlns="${ns}"><datamode>partial</datamode>${body}</recording>`);

describe('applyPartialUpdate: hold and resume (participantstreamassoc replaced as a whole)', () => {
  test('hold: the held party sends nothing, the other receives nothing; the rest is unchanged', () => {
    const before = complete();
    const held = applyPartialUpdate(before, load('chime-dg-hold-partial.xml'));
    assert.equal(held.dataMode, 'complete', 'merging into a complete state gives a complete state');
    assert.deepEqual(held.participantStreamAssocs, [
      { participantId: ALICE, send: [], recv: [S98, S99] },
      { participantId: BOB, send: [S98, S99], recv: [] },
    ]);
    assert.deepEqual({ ...held, participantStreamAssocs: [] }, { ...before, participantStreamAssocs: [] });
  });

  test('resume restores both directions', () => {
    const before = complete();
    const resumed = applyPartialUpdate(
      applyPartialUpdate(before, load('chime-dg-hold-partial.xml')),
      load('chime-dg-resume-partial.xml'),
    );
    assert.deepEqual(resumed.participantStreamAssocs, [
      { participantId: ALICE, send: [S97, S96], recv: [S98, S99] },
      { participantId: BOB, send: [S98, S99], recv: [S97, S96] },
    ]);
  });

  test("while on hold nobody sends Alice's stream, so the mapping no longer names its speaker", () => {
    const held = applyPartialUpdate(complete(), load('chime-dg-hold-partial.xml'));
    const [alice, bob] = mapStreams(['96', '98'], held);
    assert.equal(alice!.participant, null);
    assert.equal(bob!.participant?.name, 'Bob');
  });

  test('the inputs are not modified', () => {
    const before = complete();
    const update = load('chime-dg-hold-partial.xml');
    const copies = [structuredClone(before), structuredClone(update)];
    applyPartialUpdate(before, update);
    assert.deepEqual([before, update], copies);
  });
});

describe('applyPartialUpdate: field merges', () => {
  test('a participant leaving: stop-time, disassociate-times and an emptied stream association', () => {
    const before = parseRecordingMetadata(fixture('rfc7865-complete.xml'));
    const after = applyPartialUpdate(before, load('rfc7865-partial-leave.xml'));
    const session = after.sessions[0]!;
    assert.equal(session.stopTime, END);
    assert.deepEqual(
      session.sipSessionIds,
      before.sessions[0]!.sipSessionIds,
      'fields the update leaves out are kept',
    );
    assert.equal(session.groupRef, before.sessions[0]!.groupRef);
    assert.deepEqual(
      after.streams.map((s) => [s.label, s.disassociateTime]),
      [
        ['96', null],
        ['97', null],
        ['98', END],
        ['99', END],
      ],
      'labels are kept, disassociate-time added',
    );
    assert.deepEqual(after.participantSessionAssocs[1], {
      participantId: 'zSfPoSvdSDCmU3A3TRDxAw==',
      sessionId: SESSION,
      associateTime: '2010-12-16T23:41:07Z',
      disassociateTime: END,
    });
    assert.deepEqual(after.participantStreamAssocs[1], {
      participantId: 'zSfPoSvdSDCmU3A3TRDxAw==',
      send: [],
      recv: [],
    });
    assert.deepEqual(after.participants, before.participants);
  });

  test('new elements are appended in the update order; changed participants keep ids and take new nameIDs', () => {
    const before = partial(
      '<participant participant_id="a"><nameID aor="sip:a@x"><name>A</name></nameID></participant>' +
        '<participant participant_id="b"><nameID aor="sip:b@x"/></participant>',
    );
    const after = applyPartialUpdate(
      before,
      partial(
        '<participant participant_id="c"><nameID aor="sip:c@x"/></participant>' +
          '<participant participant_id="a"/>' +
          '<participant participant_id="b"><nameID aor="sip:b2@x"/></participant>' +
          '<stream stream_id="s3" session_id="x"><label>3</label></stream>',
      ),
    );
    assert.deepEqual(
      after.participants.map((p) => [p.participantId, p.nameIds.map((n) => n.aor)]),
      [
        ['a', ['sip:a@x']],
        ['b', ['sip:b2@x']],
        ['c', ['sip:c@x']],
      ],
    );
    assert.equal(after.streams[0]!.label, '3');
    assert.equal(after.dataMode, 'partial', 'merging partials stays partial');
  });

  test('a complete update replaces the whole state', () => {
    const before = complete();
    const update = parseRecordingMetadata(fixture('rfc7865-complete.xml'));
    assert.equal(applyPartialUpdate(before, update), update);
  });
});
