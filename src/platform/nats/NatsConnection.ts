import { connect, type NatsConnection } from '@nats-io/transport-node';
import { CallsightError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { errorMessage } from '../errors.js';

export type { NatsConnection };

export interface NatsConnectOptions {
  /**
   * `nats://[user:password@]host:port`, or several separated by commas (a cluster). A user without a
   * password is taken as a token. Never logged with its password: see redactUrl.
   */
  readonly url: string;
  /** Client name shown by the server's monitoring (`connz`). */
  readonly name?: string;
  /** How long the first connection may take. Default 5000 ms. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

/** The URL as it may be logged: any password (or token) replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@,]*):[^@/,]*@/g, '$1:***@').replace(/(\/\/)([^:/@,]+)@/g, '$1***@');
}

interface ParsedServers {
  readonly servers: string[];
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
}

/** Splits credentials out of the server URLs (nats.js takes them as options, not in the URL). */
function parseServers(url: string): ParsedServers {
  const servers: string[] = [];
  let user: string | undefined;
  let pass: string | undefined;
  for (const entry of url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let parsed: URL;
    try {
      parsed = new URL(entry.includes('://') ? entry : `nats://${entry}`);
    } catch {
      throw new CallsightError('CS_ERR_CONFIG_INVALID', `nats.url: not a URL: ${redactUrl(entry)}`);
    }
    if (parsed.username) user = decodeURIComponent(parsed.username);
    if (parsed.password) pass = decodeURIComponent(parsed.password);
    servers.push(`${parsed.protocol}//${parsed.host}`);
  }
  if (servers.length === 0) throw new CallsightError('CS_ERR_CONFIG_INVALID', 'nats.url is empty');
  if (user !== undefined && pass === undefined) return { servers, token: user };
  return { servers, ...(user !== undefined ? { user } : {}), ...(pass !== undefined ? { pass } : {}) };
}

/**
 * Connects to NATS the way every Callsight process does: reconnecting forever (a NATS restart or a
 * failover in the cluster is an outage to wait out, not a reason to exit), with connection changes
 * logged. One connection per process is shared by the data stream and, in the roles, the event bus
 * and the audio distribution.
 */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  const logger = (options.logger ?? silentLogger).child({ component: 'nats' });
  const parsed = parseServers(options.url);
  let nc: NatsConnection;
  try {
    nc = await connect({
      ...parsed,
      name: options.name ?? 'callsight',
      timeout: options.timeoutMs ?? 5000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      pingInterval: 10_000,
    });
  } catch (cause) {
    throw new CallsightError(
      'CS_ERR_STREAM_UNAVAILABLE',
      `cannot connect to NATS at ${redactUrl(options.url)}: ${errorMessage(cause)}`,
      { cause },
    );
  }
  logger.info({ url: redactUrl(options.url), server: nc.getServer() }, 'connected to NATS');
  void (async () => {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          logger.warn({ server: status.server }, 'NATS connection lost; reconnecting');
          break;
        case 'reconnect':
          logger.info({ server: status.server }, 'NATS connection restored');
          break;
        case 'error':
          logger.warn({ err: status.error }, 'NATS error');
          break;
        default:
          break;
      }
    }
  })();
  return nc;
}
