import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mapStreams, type MappedStream } from '../../../src/connector/siprec/StreamMapping.js';
import { parseRecordingMetadata } from '../../../src/connector/siprec/RecordingMetadata.js';
import { parseSiprecInvite } from '../../../src/connector/siprec/SiprecInvite.js';
import { StreamMappingError } from '../../../src/connector/siprec/SiprecErrors.js';
import { fixture, sipFixture, thrown } from './support.js';

const rfc = () => parseRecordingMetadata(fixture('rfc7865-complete.xml'));
const sonus = () => parseSiprecInvite(sipFixture('sonus-style-invite.txt')).metadata!;
/** The RFC 7866-style offer: audio 96 is m-line 0, audio 98 is m-line 2 (97 and 99 are video). */
const AUDIO = [
  { mediaIndex: 0, label: '96' },
  { mediaIndex: 2, label: '98' },
];

const summary = (streams: MappedStream[]) =>
  streams.map(
    (s) =>
      `${s.mediaIndex}:${s.label} ${s.participant?.name ?? '-'} ${s.participantRole} ch_${s.channel}${s.isCaller ? ' caller' : ''}`,
  );

describe('mapStreams: speaker from participantstreamassoc send', () => {
  test('each m-line gets its stream, sender, and by default CUSTOMER ch_0 / AGENT ch_1 in m-line order', () => {
    const mapped = mapStreams(AUDIO, rfc());
    assert.deepEqual(mapped[0], {
      mediaIndex: 0,
      label: '96',
      streamId: 'UAAMm5GRQKSCMVvLyl4rFw==',
      participant: { participantId: 'srfBElmCRp2QB23b7Mpk0w==', name: 'Bob', aor: 'sip:bob@biloxi.com' },
      participantRole: 'CUSTOMER',
      isCaller: true,
      channel: 0,
    });
    assert.deepEqual(summary(mapped), ['0:96 Bob CUSTOMER ch_0 caller', '2:98 Paul AGENT ch_1']);
  });

  test('labels alone: mediaIndex is the position in the list', () => {
    assert.deepEqual(summary(mapStreams(['98', '96'], rfc())), [
      '0:98 Paul CUSTOMER ch_0 caller',
      '1:96 Bob AGENT ch_1',
    ]);
  });

  test('the sender, not the receiver, speaks: Sonus-style label 1 is sent by the agent, label 2 by the caller', () => {
    assert.deepEqual(
      mapStreams(['1', '2'], sonus()).map((s) => s.participant?.aor),
      ['3125550188@agents.example.com', '2025550143@192.0.2.55'],
    );
  });

  test('unknown or missing labels, and a stream nobody or everybody sends, have no participant', () => {
    const mixed = parseRecordingMetadata(
      `<recording xmlns="urn:ietf:params:xml:ns:recording:1"><datamode>partial</datamode>
        <participant participant_id="a"><nameID aor="sip:a@x"/></participant><participant participant_id="b"><nameID aor="sip:b@x"/></participant>
        <stream stream_id="m" session_id="s"><label>mix</label></stream>
        <participantstreamassoc participant_id="a"><send>m</send></participantstreamassoc>
        <participantstreamassoc participant_id="b"><send>m</send></participantstreamassoc></recording>`,
    );
    assert.deepEqual(
      mapStreams(['mix', null], mixed).map((s) => [s.streamId, s.participant]),
      [
        ['m', null],
        [null, null],
      ],
    );
    assert.deepEqual(summary(mapStreams(['nope', '97x'], rfc())), [
      '0:nope - CUSTOMER ch_0 caller',
      '1:97x - AGENT ch_1',
    ]);
  });

  test('a label reused by a later session maps to the stream still associated', () => {
    const metadata = parseRecordingMetadata(
      `<recording xmlns="urn:ietf:params:xml:ns:recording:1"><datamode>partial</datamode>
        <stream stream_id="old" session_id="s1"><label>1</label><disassociate-time>2024-01-01T00:00:00Z</disassociate-time></stream>
        <stream stream_id="new" session_id="s2"><label>1</label></stream></recording>`,
    );
    assert.equal(mapStreams(['1'], metadata)[0]!.streamId, 'new');
  });
});

describe('mapStreams: roles', () => {
  test('agentAorPattern makes the matching sender AGENT (ch_1) and the other CUSTOMER (ch_0), the caller', () => {
    // The agent's name is a blank, so it has none. The agent sends the first stream, yet the caller
    // is the customer: isCaller agrees with the role and the channel.
    assert.deepEqual(
      summary(mapStreams(['1', '2'], sonus(), { agentAorPattern: '@agents\\.example\\.com$' })),
      ['0:1 - AGENT ch_1', '1:2 2025550143 CUSTOMER ch_0 caller'],
    );
  });

  test('with roles by AOR, isCaller is the CUSTOMER whatever the m-line order or callerAor', () => {
    for (const options of [
      { agentAorPattern: '^SIP:BOB@' },
      { agentAorPattern: '^SIP:BOB@', callerAor: 'sip:bob@biloxi.com' },
      { agentAorPattern: /^sip:Paul@/ },
    ]) {
      for (const mapped of [
        mapStreams(AUDIO, rfc(), options),
        mapStreams([...AUDIO].reverse(), rfc(), options),
      ]) {
        assert.equal(mapped.filter((s) => s.isCaller).length, 1);
        for (const s of mapped) {
          assert.equal(s.isCaller, s.participantRole === 'CUSTOMER', summary(mapped).join(', '));
          assert.equal(s.channel, s.isCaller ? 0 : 1);
        }
      }
    }
  });

  test('a string pattern is case-insensitive; a RegExp is used as given', () => {
    assert.deepEqual(summary(mapStreams(AUDIO, rfc(), { agentAorPattern: '^SIP:BOB@' })), [
      '0:96 Bob AGENT ch_1',
      '2:98 Paul CUSTOMER ch_0 caller',
    ]);
    assert.deepEqual(summary(mapStreams(AUDIO, rfc(), { agentAorPattern: /^sip:Paul@/g })), [
      '0:96 Bob CUSTOMER ch_0 caller',
      '2:98 Paul AGENT ch_1',
    ]);
    assert.deepEqual(
      summary(mapStreams(AUDIO, rfc(), { agentAorPattern: /^SIP:PAUL@/ })),
      ['0:96 Bob CUSTOMER ch_0 caller', '2:98 Paul AGENT ch_1'],
      'no match: positional default',
    );
  });

  test('a pattern matching both senders, or neither, falls back to the positional default', () => {
    for (const agentAorPattern of ['biloxi\\.com$', 'nowhere\\.example$']) {
      assert.deepEqual(summary(mapStreams(AUDIO, rfc(), { agentAorPattern })), [
        '0:96 Bob CUSTOMER ch_0 caller',
        '2:98 Paul AGENT ch_1',
      ]);
    }
  });

  test('a lone stream is CUSTOMER ch_0 (the caller) unless its sender is an agent', () => {
    assert.deepEqual(summary(mapStreams(['96'], rfc())), ['0:96 Bob CUSTOMER ch_0 caller']);
    assert.deepEqual(summary(mapStreams(['96'], rfc(), { agentAorPattern: 'bob@' })), [
      '0:96 Bob AGENT ch_1',
    ]);
  });
});

describe('mapStreams: the caller', () => {
  test('callerAor as the CS From header picks the stream the caller sends', () => {
    assert.deepEqual(
      mapStreams(AUDIO, rfc(), { callerAor: '"Paul" <sip:Paul@biloxi.com:5060;transport=tcp>;tag=a1' }).map(
        (s) => s.isCaller,
      ),
      [false, true],
    );
  });

  test('AORs without scheme; numbers match by user part (and digits) when the SBC rewrote the host', () => {
    for (const callerAor of [
      '<sip:2025550143@192.0.2.55>;tag=Xy12Ab34',
      'sip:2025550143@sbc.example.net',
      'tel:202-555-0143',
    ]) {
      assert.deepEqual(
        mapStreams(['1', '2'], sonus(), { callerAor }).map((s) => s.isCaller),
        [false, true],
        callerAor,
      );
    }
  });

  test('an unknown caller, or no callerAor, makes the first stream the caller', () => {
    assert.deepEqual(
      mapStreams(['1', '2'], sonus(), { callerAor: 'sip:someone.else@example.com' }).map((s) => s.isCaller),
      [true, false],
    );
    assert.deepEqual(
      mapStreams(['1', '2'], sonus()).map((s) => s.isCaller),
      [true, false],
    );
  });

  test('everything together: the Sonus-style call with its agent domain and From', () => {
    assert.deepEqual(
      summary(
        mapStreams(['1', '2'], sonus(), {
          agentAorPattern: '@agents\\.example\\.com$',
          callerAor: '"2025550143" <sip:2025550143@192.0.2.55>;tag=x',
        }),
      ),
      ['0:1 - AGENT ch_1', '1:2 2025550143 CUSTOMER ch_0 caller'],
    );
  });
});

describe('mapStreams: limits', () => {
  test('at most two audio streams, as on Chime: a third is a 488', () => {
    const err = thrown(() => mapStreams(['96', '97', '98'], rfc()), StreamMappingError);
    assert.equal(err.code, 'CS_ERR_SIPREC_STREAMS');
    assert.equal(err.status, 488);
  });

  test('no audio streams, no mapping', () => {
    assert.deepEqual(mapStreams([], rfc()), []);
  });
});
