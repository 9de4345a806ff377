import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * The process-wide JSON logger. Stages take a child logger (`logger.child({ callId })`) so every line
 * about a call carries its id. LOG_LEVEL picks the level (default `info`; tests default to `silent`).
 */
export function createLogger(
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service: 'callsight' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    destination,
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
