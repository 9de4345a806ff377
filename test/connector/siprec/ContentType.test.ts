import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseContentDisposition, parseContentType } from '../../../src/connector/siprec/ContentType.js';

describe('parseContentType', () => {
  test('type and subtype are lower-cased, parameter names too, values keep their case', () => {
    const type = parseContentType('Multipart/Mixed;BOUNDARY=Sonus-Content-Delim')!;
    assert.equal(type.mediaType, 'multipart/mixed');
    assert.equal(type.type, 'multipart');
    assert.equal(type.subtype, 'mixed');
    assert.deepEqual([...type.params], [['boundary', 'Sonus-Content-Delim']]);
  });

  test('quoted values are unquoted and unescaped; spaces around ; and = are allowed', () => {
    const type = parseContentType('multipart/mixed ; boundary = "a \\"b\\" c" ; charset=utf-8')!;
    assert.equal(type.params.get('boundary'), 'a "b" c');
    assert.equal(type.params.get('charset'), 'utf-8');
  });

  test('application/rs-metadata+xml and application/SDP casing', () => {
    assert.equal(parseContentType('application/rs-metadata+xml')!.mediaType, 'application/rs-metadata+xml');
    assert.equal(parseContentType('application/SDP')!.mediaType, 'application/sdp');
  });

  test('tolerates unquoted tspecials in a value and empty parameters', () => {
    const type = parseContentType('multipart/mixed;boundary=----=_Part_1/2;;')!;
    assert.equal(type.params.get('boundary'), '----=_Part_1/2');
  });

  test('refuses what is not a media type', () => {
    for (const value of [
      'sdp',
      '',
      '/sdp',
      'application/',
      'a/b c',
      'a/b; x="unterminated',
      'a/b; =v',
      'a/b; x=',
    ]) {
      assert.equal(parseContentType(value), null, value);
    }
  });
});

describe('parseContentDisposition', () => {
  test('disposition and handling are lower-cased', () => {
    const disposition = parseContentDisposition('Session; Handling=Required')!;
    assert.equal(disposition.disposition, 'session');
    assert.equal(disposition.handling, 'required');
  });

  test('recording-session has no handling parameter', () => {
    const disposition = parseContentDisposition('recording-session')!;
    assert.equal(disposition.disposition, 'recording-session');
    assert.equal(disposition.handling, null);
  });

  test('refuses an empty or broken value', () => {
    assert.equal(parseContentDisposition(''), null);
    assert.equal(parseContentDisposition('session; handling="required'), null);
  });
});
