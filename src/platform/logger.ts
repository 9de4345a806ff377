import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** Where log lines go: stdout, or a stream a test gives. */
export interface LogDestination extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
}

/**
 * The process-wide logger. Stages take a child logger (`logger.child({ callId })`) so every line
 * about a call carries its id. LOG_LEVEL picks the level (default `info`; tests default to `silent`).
 * JSON lines, one per event — unless the destination is a terminal: then human-readable lines
 * (pino-pretty: time, level, message, fields), so the launch banner is not buried in JSON.
 */
export function createLogger(
  level = process.env.LOG_LEVEL ?? 'info',
  destination: LogDestination = process.stdout,
): Logger {
  const options = {
    level,
    base: { service: 'callsight' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED, censor: '[redacted]' },
  };
  // stdout keeps pino's own fast writer to fd 1.
  if (!destination.isTTY) return destination === process.stdout ? pino(options) : pino(options, destination);
  return pino(
    options,
    pretty({
      destination,
      sync: true,
      colorize: pretty.isColorSupported,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
    }),
  );
}

/**
 * Credentials never reach the log, whatever object carries them: at the top of a log line's fields
 * or one level down (`{ user: { password } }`), and in request headers.
 */
const SECRET_KEYS = [
  'password',
  'passwordHash',
  'token',
  'bearer',
  'session',
  'secret',
  'signingSecret',
  'bootstrapToken',
  'authorization',
  'cookie',
  'apiKey',
  'secretAccessKey',
];
const REDACTED = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["set-cookie"]',
  'headers["sec-websocket-protocol"]',
];

/** A logger for tests and libraries used without a host logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
