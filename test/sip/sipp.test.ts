import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VoiceConnector } from '../../src/connector/VoiceConnector.js';
import { EventBus } from '../../src/events/EventBus.js';
import type { EventEnvelope } from '../../src/events/EventEnvelope.js';
import { silentLogger } from '../../src/platform/logger.js';
import { PortAllocator } from '../../src/media/rtp/PortAllocator.js';
import type { CallEndReason, CallHandler } from '../../src/sip/CallHandlerTypes.js';
import { SipUserAgent } from '../../src/sip/SipUserAgent.js';
import { startCallsight, authFetch } from '../helpers/callsight.js';
import { capturedLogger, type CapturedLogger } from '../helpers/capturedLogger.js';
import { freePort, rtpRangeForThisProcess } from '../helpers/ports.js';
import { SIPP, sippAvailable } from '../helpers/sipp.js';

const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));
const BUILT_APP = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));

if (!sippAvailable) {
  process.stderr.write(
    `\n!!! ${SIPP} is missing: the sipp interoperability tests are SKIPPED. Install Debian's sip-tester.\n\n`,
  );
}

interface SippRun {
  readonly exitCode: number | null;
  /** sipp's screen and error log, for the assertion message. */
  readonly output: string;
}

/** Runs one call of a committed scenario against 127.0.0.1:port, over UDP or TCP. */
async function runSipp(
  scenario: string,
  port: number,
  options: { transport?: 'udp' | 'tcp'; extraArgs?: readonly string[] } = {},
): Promise<SippRun> {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-sipp-'));
  const errorFile = join(dir, 'errors.log');
  const args = [
    `127.0.0.1:${port}`,
    '-sf',
    join(SCENARIOS, scenario),
    '-t',
    options.transport === 'tcp' ? 't1' : 'u1',
    '-i',
    '127.0.0.1',
    '-p',
    String(await freePort()),
    '-mi',
    '127.0.0.1',
    '-mp',
    String((await freePort()) & ~1),
    '-m',
    '1',
    '-l',
    '1',
    '-timeout',
    '15s',
    '-timeout_error',
    '-nostdin',
    '-trace_err',
    '-error_file',
    errorFile,
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(SIPP, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const errors = existsSync(errorFile) ? readFileSync(errorFile, 'utf8') : '';
  return { exitCode, output: `${output.slice(-3000)}\n--- sipp error log ---\n${errors.slice(-3000)}` };
}

/**
 * The production call path in-process: SipUserAgent + VoiceConnector, with the connector's
 * callbacks recorded (and its answers delayed, to let a CANCEL overtake them).
 */
class InProcessCallsight {
  readonly events: string[] = [];
  readonly busEvents: EventEnvelope[] = [];
  offerDelayMs = 0;
  onConfirmed: ((sipCallId: string) => void) | null = null;

  private constructor(
    readonly uas: SipUserAgent,
    readonly connector: VoiceConnector,
    /** The SIP user agent's and the connector's log lines. */
    readonly log: CapturedLogger,
  ) {}

  static async start(): Promise<InProcessCallsight> {
    const bus = new EventBus(silentLogger);
    const log = capturedLogger();
    const range = rtpRangeForThisProcess();
    const connector = new VoiceConnector({
      voiceConnectorId: 'sipp-test',
      origin: { account: '000000000000', region: 'local' },
      advertisedAddress: '127.0.0.1',
      rtpHost: '127.0.0.1',
      ports: new PortAllocator({ min: range.min + 100, max: range.max }),
      jitterBufferMs: 60,
      mediaTimeoutMs: 0,
      bus,
      logger: log.logger,
    });
    let self: InProcessCallsight | null = null;
    const handler: CallHandler = {
      offer: async (invite, progress) => {
        self?.events.push('offer');
        if (self?.offerDelayMs) await new Promise((resolve) => setTimeout(resolve, self?.offerDelayMs));
        return connector.offer(invite, progress);
      },
      confirmed: (sipCallId) => {
        self?.events.push('confirmed');
        connector.confirmed(sipCallId);
        self?.onConfirmed?.(sipCallId);
      },
      ended: (sipCallId, reason: CallEndReason) => {
        self?.events.push(`ended:${reason}`);
        connector.ended(sipCallId, reason);
      },
    };
    const uas = await SipUserAgent.start({
      host: '127.0.0.1',
      udpPort: 0,
      tcpPort: 0,
      advertisedAddress: '127.0.0.1',
      handler,
      logger: log.logger,
    });
    self = new InProcessCallsight(uas, connector, log);
    const recorder = self;
    bus.addRule(
      'record',
      () => true,
      (event) => void recorder.busEvents.push(event),
    );
    return self;
  }

  statuses(): string[] {
    return this.busEvents.map((e) => String((e.detail as { streamingStatus?: string }).streamingStatus));
  }

  reset(): void {
    this.events.length = 0;
    this.busEvents.length = 0;
    this.offerDelayMs = 0;
    this.onConfirmed = null;
  }

  /** Waits until the connector has released every call (its RTP receivers closed). */
  async drained(): Promise<void> {
    await Promise.race([
      this.connector.drain(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('calls still open after 3 s')), 3000)),
    ]);
  }
}

describe(
  'sipp against the in-process UAS and VoiceConnector',
  { skip: !sippAvailable && `${SIPP} is missing` },
  () => {
    let callsight: InProcessCallsight;

    before(async () => {
      callsight = await InProcessCallsight.start();
    });

    after(async () => {
      await callsight.uas.close();
    });

    test('uac-cancel.xml: CANCEL before the answer → 200, 487, ACK; the call never starts', async () => {
      callsight.reset();
      callsight.offerDelayMs = 800;
      const sipp = await runSipp('uac-cancel.xml', callsight.uas.udpPort);
      assert.equal(sipp.exitCode, 0, `sipp failed:\n${sipp.output}`);
      assert.deepEqual(callsight.events, ['offer', 'ended:cancelled']);
      // The connector opened its receivers after the CANCEL: it must close them and start nothing.
      await new Promise((resolve) => setTimeout(resolve, callsight.offerDelayMs + 200));
      assert.equal(callsight.connector.activeCount, 0);
      assert.deepEqual(callsight.statuses(), []);
    });

    test('uac-488.xml: an offer of G.729 only → 488, ACKed', async () => {
      callsight.reset();
      const linesBefore = callsight.log.lines.length;
      const sipp = await runSipp('uac-488.xml', callsight.uas.udpPort);
      assert.equal(sipp.exitCode, 0, `sipp failed:\n${sipp.output}`);
      assert.deepEqual(callsight.events, ['offer']);
      assert.equal(callsight.connector.activeCount, 0);
      const rejected = callsight.log.lines
        .slice(linesBefore)
        .filter((line) => line.msg === 'INVITE rejected');
      assert.deepEqual(
        rejected.map((line) => [line.code, line.status]),
        [['CS_ERR_SDP_NO_CODEC', 488]],
        'the refusal is logged with its code',
      );
    });

    for (const transport of ['udp', 'tcp'] as const) {
      test(`uac-uas-bye.xml over ${transport.toUpperCase()}: hangup() sends BYE, sipp answers 200`, async () => {
        callsight.reset();
        const hungUp: Promise<void>[] = [];
        callsight.onConfirmed = (sipCallId) => hungUp.push(callsight.uas.hangup(sipCallId));
        const port = transport === 'tcp' ? callsight.uas.tcpPort : callsight.uas.udpPort;
        const sipp = await runSipp('uac-uas-bye.xml', port, { transport });
        assert.equal(sipp.exitCode, 0, `sipp failed:\n${sipp.output}`);
        assert.equal(hungUp.length, 1);
        await hungUp[0];
        assert.deepEqual(callsight.events, ['offer', 'confirmed', 'ended:bye-sent']);
        await callsight.drained();
        const statuses = callsight.statuses();
        assert.deepEqual(statuses, ['STARTED', 'ALL_STARTED', 'ENDED'], 'one PCMA stream started and ended');
      });
    }

    test('uac-retransmit.xml: the 200 OK comes again until the ACK', async () => {
      callsight.reset();
      const sipp = await runSipp('uac-retransmit.xml', callsight.uas.udpPort, { extraArgs: ['-nr'] });
      assert.equal(sipp.exitCode, 0, `sipp failed:\n${sipp.output}`);
      assert.deepEqual(callsight.events, ['offer', 'confirmed', 'ended:bye-received']);
      await callsight.drained();
    });
  },
);

describe('sipp against the built app', { skip: !sippAvailable && `${SIPP} is missing` }, () => {
  test(
    'uac-uas-bye.xml: stopping Callsight gracefully hangs up the call with BYE',
    { skip: !existsSync(BUILT_APP) && 'dist/ is not built: run `npm run build` first' },
    async () => {
      const app = await startCallsight({ env: { CALLSIGHT_ASR_ENABLED: 'false' } });
      try {
        const sipp = runSipp('uac-uas-bye.xml', app.sipPort);
        const deadline = Date.now() + 10_000;
        for (;;) {
          const res = await authFetch(`http://127.0.0.1:${app.httpPort}/api/calls`);
          const { calls } = (await res.json()) as { calls: { confirmed: boolean }[] };
          if (calls.some((c) => c.confirmed)) break;
          assert.ok(Date.now() < deadline, 'the sipp call was never confirmed');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const exitCode = await app.stop();
        const result = await sipp;
        assert.equal(
          result.exitCode,
          0,
          `sipp failed:\n${result.output}\n--- callsight ---\n${app.stderr()}`,
        );
        assert.equal(exitCode, 0, app.stderr());
      } finally {
        await app.kill();
      }
    },
  );
});
