import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  siprecMetadataJson,
  siprecMetadataObject,
} from '../../../src/connector/siprec/SiprecMetadataJson.js';
import { parseRecordingMetadata } from '../../../src/connector/siprec/RecordingMetadata.js';
import { fixture } from './support.js';

describe('siprecMetadataJson', () => {
  test('a JSON string with the RFC 7865 names, arrays for repeatable elements, no extensions', () => {
    const json = siprecMetadataJson(parseRecordingMetadata(fixture('rfc7865-complete.xml')));
    assert.equal(typeof json, 'string');
    const { recording } = JSON.parse(json) as { recording: Record<string, unknown> };
    assert.deepEqual(Object.keys(recording), [
      'xmlns',
      'datamode',
      'group',
      'session',
      'participant',
      'stream',
      'sessionrecordingassoc',
      'participantsessionassoc',
      'participantstreamassoc',
    ]);
    assert.equal(recording['xmlns'], 'urn:ietf:params:xml:ns:recording:1');
    assert.equal(recording['datamode'], 'complete');
    assert.deepEqual(recording['group'], [
      { group_id: '7+OTCyoxTmqmqyA/1weDAg==', 'associate-time': '2010-12-16T23:41:07Z' },
    ]);
    assert.deepEqual(recording['session'], [
      {
        session_id: 'hVpd7YQgRW2nD22h7q60JQ==',
        sipSessionID: ['ab30317f1a784dc48ff824d0d3715d86;remote=47755a9de7794ba387653f2099600ef2'],
        'group-ref': '7+OTCyoxTmqmqyA/1weDAg==',
      },
    ]);
    assert.deepEqual((recording['participant'] as unknown[])[0], {
      participant_id: 'srfBElmCRp2QB23b7Mpk0w==',
      nameID: [{ aor: 'sip:bob@biloxi.com', name: [{ '#text': 'Bob', 'xml:lang': 'it' }] }],
    });
    assert.deepEqual((recording['stream'] as unknown[])[0], {
      stream_id: 'UAAMm5GRQKSCMVvLyl4rFw==',
      session_id: 'hVpd7YQgRW2nD22h7q60JQ==',
      label: '96',
    });
    assert.deepEqual((recording['participantstreamassoc'] as unknown[])[1], {
      participant_id: 'zSfPoSvdSDCmU3A3TRDxAw==',
      send: ['8zc6e0lYTlWIINA6GR+3ag==', 'EiXGlc+4TruqqoDaNE76ag=='],
      recv: ['UAAMm5GRQKSCMVvLyl4rFw==', 'i1Pz3to5hGk8fuXl+PbwCw=='],
    });
    assert.doesNotMatch(json, /mydata|FOO!/);
  });

  test('the shape does not depend on counts: a partial snapshot has every array, empty ones included', () => {
    const object = siprecMetadataObject(parseRecordingMetadata(fixture('chime-dg-hold-partial.xml')));
    assert.deepEqual(object, {
      recording: {
        xmlns: 'urn:ietf:params:xml:ns:recording:1',
        datamode: 'partial',
        group: [],
        session: [],
        participant: [],
        stream: [],
        sessionrecordingassoc: [],
        participantsessionassoc: [],
        participantstreamassoc: [
          {
            participant_id: 'srfBElmCRp2QB23b7Mpk0w==',
            send: [],
            recv: ['8zc6e0lYTlWIINA6GR+3ag==', 'EiXGlc+4TruqqoDaNE76ag=='],
          },
          {
            participant_id: 'zSfPoSvdSDCmU3A3TRDxAw==',
            send: ['8zc6e0lYTlWIINA6GR+3ag==', 'EiXGlc+4TruqqoDaNE76ag=='],
            recv: [],
          },
        ],
      },
    });
  });

  test('a document without namespace has no xmlns; a name without xml:lang has only #text', () => {
    const object = siprecMetadataObject(
      parseRecordingMetadata(
        '<recording><participant participant_id="p"><nameID aor="sip:p@x"><name>P</name></nameID></participant></recording>',
      ),
    ) as { recording: Record<string, unknown> };
    assert.equal('xmlns' in object.recording, false);
    assert.deepEqual(object.recording['participant'], [
      { participant_id: 'p', nameID: [{ aor: 'sip:p@x', name: [{ '#text': 'P' }] }] },
    ]);
  });
});
