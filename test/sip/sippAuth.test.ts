import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/platform/logger.js';
import { AllowList } from '../../src/sip/access/AllowList.js';
import { DigestAuthenticator } from '../../src/sip/access/DigestAuth.js';
import type { CallHandler } from '../../src/sip/CallHandlerTypes.js';
import { SipUserAgent } from '../../src/sip/SipUserAgent.js';
import { startCallsight } from '../helpers/callsight.js';
import { freePort } from '../helpers/ports.js';
import { SIPP, sippAvailable } from '../helpers/sipp.js';

const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));
const BUILT_APP = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));
const ANSWER =
  'v=0\r\no=callsight 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n';

/** One call of a committed scenario with sipp's digest authentication (-au/-ap). */
async function runSipp(
  scenario: string,
  port: number,
  options: { transport: 'udp' | 'tcp'; password: string },
): Promise<{ exitCode: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-sipp-auth-'));
  const errorFile = join(dir, 'errors.log');
  const messageFile = join(dir, 'messages.log');
  const args = [
    `127.0.0.1:${port}`,
    ...['-sf', join(SCENARIOS, scenario), '-t', options.transport === 'tcp' ? 't1' : 'u1'],
    ...['-i', '127.0.0.1', '-p', String(await freePort())],
    ...['-mi', '127.0.0.1', '-mp', String((await freePort()) & ~1)],
    ...['-au', 'alice', '-ap', options.password, '-auth_uri', `+15550100@127.0.0.1:${port}`],
    ...['-m', '1', '-l', '1', '-timeout', '15s', '-timeout_error', '-nostdin'],
    ...['-trace_err', '-error_file', errorFile, '-trace_msg', '-message_file', messageFile],
  ];
  const child = spawn(SIPP, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  return {
    exitCode,
    output: `${output.slice(-2000)}\n--- errors ---\n${read(errorFile).slice(-2000)}\n--- messages ---\n${read(messageFile).slice(-6000)}`,
  };
}

describe(
  'sipp (a digest client nobody here wrote) against the UAS with authentication',
  { skip: !sippAvailable && `${SIPP} is missing` },
  () => {
    const events: string[] = [];
    const handler: CallHandler = {
      offer: (invite) => {
        events.push('offer');
        assert.ok(invite.headers.authorization?.includes('username="alice"'));
        return Promise.resolve({ sdp: ANSWER });
      },
      confirmed: () => void events.push('confirmed'),
      ended: (_id, reason) => void events.push(`ended:${reason}`),
    };
    let uas: SipUserAgent;

    before(async () => {
      uas = await SipUserAgent.start({
        host: '127.0.0.1',
        udpPort: 0,
        tcpPort: 0,
        advertisedAddress: '127.0.0.1',
        handler,
        logger: silentLogger,
        access: {
          allowList: AllowList.parse('127.0.0.1/32'),
          // SIPp 3.6 (Debian's) knows MD5 only and reads only the first challenge.
          auth: new DigestAuthenticator({
            users: { alice: { password: 'sipp-s3cret' } },
            algorithms: ['MD5'],
          }),
        },
      });
    });

    after(async () => {
      await uas.close();
    });

    for (const transport of ['udp', 'tcp'] as const) {
      test(`uac-auth.xml over ${transport.toUpperCase()}: 401, sipp's MD5 answer, 200, ACK, BYE`, async () => {
        events.length = 0;
        const port = transport === 'tcp' ? uas.tcpPort : uas.udpPort;
        const sipp = await runSipp('uac-auth.xml', port, { transport, password: 'sipp-s3cret' });
        assert.equal(sipp.exitCode, 0, `sipp failed:\n${sipp.output}`);
        assert.deepEqual(events, ['offer', 'confirmed', 'ended:bye-received']);
      });
    }

    test('uac-auth-refused.xml: sipp with the wrong password gets a second 401 and no call', async () => {
      events.length = 0;
      const before = uas.stats().challenged;
      const sipp = await runSipp('uac-auth-refused.xml', uas.udpPort, {
        transport: 'udp',
        password: 'sipp-guess',
      });
      assert.equal(sipp.exitCode, 0, `sipp failed:\n${sipp.output}`);
      assert.deepEqual(events, []);
      assert.equal(uas.stats().challenged - before, 2);
      assert.match(sipp.output, /Authorization: Digest username="alice"/);
    });
  },
);

describe(
  'sipp against the built app with sip.allowedHosts and sip.authUsers',
  { skip: !sippAvailable && `${SIPP} is missing` },
  () => {
    test(
      'the settings reach the UAS: sipp authenticates, and no log line holds a password',
      { skip: !existsSync(BUILT_APP) && 'dist/ is not built: run `npm run build` first' },
      async () => {
        const app = await startCallsight({
          env: {
            CALLSIGHT_ASR_ENABLED: 'false',
            LOG_LEVEL: 'debug',
            CALLSIGHT_SIP_ALLOWED_HOSTS: '127.0.0.1/32, ::1',
            CALLSIGHT_SIP_AUTH_USERS: 'alice:app-s3cret,bob:other-s3cret',
            CALLSIGHT_SIP_AUTH_ALGORITHMS: 'MD5',
          },
        });
        try {
          const refused = await runSipp('uac-auth-refused.xml', app.sipPort, {
            transport: 'udp',
            password: 'n0t-the-pa55',
          });
          assert.equal(refused.exitCode, 0, `sipp failed:\n${refused.output}`);
          const sipp = await runSipp('uac-auth.xml', app.sipPort, {
            transport: 'udp',
            password: 'app-s3cret',
          });
          assert.equal(sipp.exitCode, 0, `sipp failed:\n${sipp.output}\n--- callsight ---\n${app.stderr()}`);
          assert.equal(await app.stop(), 0, app.stderr());
          const log = app.stdout();
          assert.match(log, /"msg":"SIP access control"/);
          assert.match(log, /"allowedHosts":\["127\.0\.0\.1\/32","::1\/128"\]/);
          assert.match(log, /"code":"CS_ERR_SIP_AUTH_FAILED"/);
          assert.match(log, /"msg":"INVITE authenticated"/);
          for (const secret of ['app-s3cret', 'other-s3cret', 'n0t-the-pa55'])
            assert.ok(!log.includes(secret), secret);
        } finally {
          await app.kill();
        }
      },
    );
  },
);
