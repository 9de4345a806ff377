import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { TestCa } from '../helpers/testCa.js';
import { startCallsight, type RunningCallsight } from '../helpers/callsight.js';
import { freePort } from '../helpers/ports.js';

/*
 * The program as an operator starts it with a certificate: SIP over TLS on its port, the SIP
 * transport metrics on /metrics.
 */
describe('Callsight with sip.tlsCertFile', () => {
  let ca: TestCa;
  let callsight: RunningCallsight;
  let tlsPort: number;

  before(async () => {
    ca = TestCa.create();
    const server = ca.issue('callsight', { dns: ['callsight.test'] });
    tlsPort = await freePort();
    callsight = await startCallsight({
      env: {
        CALLSIGHT_ASR_ENABLED: 'false',
        CALLSIGHT_SIP_TLS_PORT: String(tlsPort),
        CALLSIGHT_SIP_TLS_CERT_FILE: server.certFile,
        CALLSIGHT_SIP_TLS_KEY_FILE: server.keyFile,
        CALLSIGHT_SIP_MAX_CONNECTIONS_PER_SOURCE: '8',
      },
    });
  });

  after(async () => {
    const code = await callsight?.stop();
    ca.cleanup();
    assert.equal(code, 0, callsight?.stderr());
  });

  test('answers OPTIONS over TLS with its certificate, and /metrics counts the connection', async () => {
    const socket = connect({
      host: '127.0.0.1',
      port: tlsPort,
      servername: 'callsight.test',
      ca: readFileSync(ca.caFile),
    });
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    const reply = new Promise<string>((resolve) =>
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString())),
    );
    socket.write(
      [
        'OPTIONS sip:callsight@callsight.test SIP/2.0',
        `Via: SIP/2.0/TLS 127.0.0.1:${socket.localPort};branch=z9hG4bK.e2e`,
        'Max-Forwards: 70',
        'From: <sip:sbc@127.0.0.1>;tag=e2e',
        'To: <sip:callsight@callsight.test>',
        'Call-ID: e2e-tls@127.0.0.1',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    assert.match(await reply, /^SIP\/2\.0 200 OK\r\n/);
    const metrics = await (await fetch(`http://127.0.0.1:${callsight.httpPort}/metrics`)).text();
    assert.match(metrics, /^callsight_sip_connections 1$/m);
    assert.match(metrics, /^callsight_sip_connections_refused_total 0$/m);
    assert.match(metrics, /^callsight_sip_message_timeouts_total 0$/m);
    socket.destroy();
  });
});
