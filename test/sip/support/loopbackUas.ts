import { silentLogger } from '../../../src/platform/logger.js';
import type { CallHandler } from '../../../src/sip/CallHandlerTypes.js';
import { SipUserAgent, type SipUserAgentOptions } from '../../../src/sip/SipUserAgent.js';

/** Fast transaction timers for tests: T1 50 ms, so 64·T1 is 3.2 s. */
export const TEST_TIMERS = { t1: 50, t2: 400, t4: 500 };

/** A SipUserAgent on loopback, on free ports, with test timers; `options` adds or overrides. */
export function startLoopbackUas(
  handler: CallHandler,
  options: Partial<SipUserAgentOptions> = {},
): Promise<SipUserAgent> {
  return SipUserAgent.start({
    host: '127.0.0.1',
    udpPort: 0,
    tcpPort: 0,
    advertisedAddress: '127.0.0.1',
    handler,
    logger: silentLogger,
    timers: TEST_TIMERS,
    ...options,
  });
}
