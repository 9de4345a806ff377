import type { Logger } from '../../platform/logger.js';
import { TypedEmitter } from '../../platform/TypedEmitter.js';
import type { SipUserAgent } from '../../sip/SipUserAgent.js';
import type { RouteDefinition, RouteTarget } from './Routes.js';

/** What the monitor needs of the SIP user agent. */
export type TargetPinger = Pick<SipUserAgent, 'ping'>;

/** One target as the OPTIONS pings see it (GET /api/routes). */
export interface TargetState {
  readonly uri: string;
  /** `unknown` until the first ping has an outcome (or when pings are off): such a target is tried. */
  readonly state: 'unknown' | 'up' | 'down';
  /** Status of the last answer to OPTIONS; null when the last ping got none. */
  readonly lastStatus: number | null;
  /** Round-trip time of the last answered ping. */
  readonly rttMs: number | null;
  /** When the state last changed (ISO 8601). */
  readonly lastChange: string | null;
  /** When the last ping had its outcome (ISO 8601). */
  readonly lastPing: string | null;
}

export interface TargetMonitorEvents {
  [event: string]: unknown[];
  /** A ping was answered (any final status). */
  answered: [uri: string, rttMs: number];
}

export interface TargetMonitorOptions {
  readonly routes: readonly RouteDefinition[];
  /** How often each target is pinged; 0 turns pings off (every target stays `unknown`, and is tried). */
  readonly intervalMs: number;
  readonly logger: Logger;
}

/** A ping unanswered this long (or the interval, if shorter) counts as no answer. */
const MAX_PING_TIMEOUT_MS = 5000;

/**
 * OPTIONS pings to every SIP target of the routes (once per URI, however many routes list it), as
 * Chime's Voice Connector and SIP proxies' dispatchers watch their trunks: a target that answers
 * any final response is up; one that answers nothing in time (or cannot be reached) is down, and
 * left out of the failover order until it answers again.
 */
export class TargetMonitor extends TypedEmitter<TargetMonitorEvents> {
  readonly #options: TargetMonitorOptions;
  readonly #targets = new Map<string, { target: RouteTarget; state: TargetState; pinging: boolean }>();
  #timer: NodeJS.Timeout | null = null;

  constructor(options: TargetMonitorOptions) {
    super(options.logger);
    this.#options = options;
    for (const target of options.routes.flatMap((r) => r.targets ?? [])) {
      if (this.#targets.has(target.uri)) continue;
      this.#targets.set(target.uri, {
        target,
        pinging: false,
        state: {
          uri: target.uri,
          state: 'unknown',
          lastStatus: null,
          rttMs: null,
          lastChange: null,
          lastPing: null,
        },
      });
    }
  }

  /** Starts pinging, at once and then every intervalMs (nothing when pings are off or there are no targets). */
  start(sip: TargetPinger): void {
    if (this.#options.intervalMs <= 0 || this.#targets.size === 0 || this.#timer) return;
    const round = () => {
      for (const entry of this.#targets.values()) void this.#ping(sip, entry);
    };
    round();
    this.#timer = setInterval(round, this.#options.intervalMs).unref();
  }

  /** Whether calls may try this target: anything but `down`. */
  usable(target: RouteTarget): boolean {
    return this.#targets.get(target.uri)?.state.state !== 'down';
  }

  state(uri: string): TargetState | undefined {
    return this.#targets.get(uri)?.state;
  }

  states(): TargetState[] {
    return [...this.#targets.values()].map((e) => e.state);
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #ping(
    sip: TargetPinger,
    entry: { target: RouteTarget; state: TargetState; pinging: boolean },
  ): Promise<void> {
    if (entry.pinging) return;
    entry.pinging = true;
    const { target } = entry;
    try {
      const { status, rttMs } = await sip.ping(
        { transport: target.transport, address: target.host, port: target.port },
        target.uri,
        Math.min(this.#options.intervalMs, MAX_PING_TIMEOUT_MS),
      );
      if (!this.#timer) return; // closed meanwhile
      const now = new Date().toISOString();
      const next = status === null ? 'down' : 'up';
      const previous = entry.state.state;
      entry.state = {
        uri: target.uri,
        state: next,
        lastStatus: status,
        rttMs: status === null ? entry.state.rttMs : rttMs,
        lastChange: next === previous ? entry.state.lastChange : now,
        lastPing: now,
      };
      if (status !== null) this.safeEmit('answered', target.uri, rttMs);
      if (next !== previous) {
        const fields = { target: target.uri, state: next, status };
        if (next === 'down') this.#options.logger.warn(fields, 'route target does not answer OPTIONS: down');
        else this.#options.logger.info(fields, 'route target answers OPTIONS: up');
      }
    } catch (err) {
      this.#options.logger.error({ err, target: target.uri }, 'OPTIONS ping failed');
    } finally {
      entry.pinging = false;
    }
  }
}
