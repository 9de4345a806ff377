import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodeToken, encodeToken, keyOfSubject, subjectFor } from '../../src/stream/SubjectTokens.js';

describe('SubjectTokens', () => {
  test('detail-types and call ids become safe subject tokens', () => {
    assert.equal(encodeToken('Transcribe'), 'Transcribe');
    assert.equal(encodeToken('Media Insights State Change'), 'Media%20Insights%20State%20Change');
    assert.equal(encodeToken('a.b*c>d%e~f'), 'a%2Eb%2Ac%3Ed%25e%7Ef');
    assert.equal(encodeToken('é'), '%C3%A9');
    assert.equal(
      subjectFor('callsight.records', { type: 'Transcribe', callId: '0f8fad5b-d9cb-469f-a165-70867728950e' }),
      'callsight.records.Transcribe.0f8fad5b-d9cb-469f-a165-70867728950e',
    );
    assert.equal(subjectFor('p', { type: 'T', callId: null }), 'p.T.~');
    assert.equal(subjectFor('p', { type: 'T', callId: '' }), 'p.T.~~');
  });

  test('every key round-trips through its subject (random strings)', () => {
    const alphabet = ['a', 'Z', '0', '-', '_', '.', ' ', '*', '>', '%', '~', 'é', '😀', '\t', '\n', '$'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const text = (n: number) =>
        Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const key = {
        type: text(1 + Math.floor(random() * 8)),
        callId: random() < 0.1 ? null : text(Math.floor(random() * 8)),
      };
      const subject = subjectFor('cs.rec', key);
      assert.match(subject, /^[A-Za-z0-9_%~.-]+$/, subject);
      assert.equal(subject.split('.').length, 4, subject);
      assert.deepEqual(keyOfSubject('cs.rec', subject), key);
    }
  });

  test('text the encoder cannot have produced does not decode', () => {
    for (const bad of ['a b', '%2', '%zz', '%2e', 'a.b', '%C3', '~x'])
      assert.equal(decodeToken(bad), null, bad);
    assert.equal(keyOfSubject('cs', 'other.T.~'), null);
    assert.equal(keyOfSubject('cs', 'cs.T'), null);
    assert.equal(keyOfSubject('cs', 'cs..~'), null);
  });
});
