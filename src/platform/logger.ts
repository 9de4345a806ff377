import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The process-wide JSON logger. Stages take a child logger (`logger.child({ callId })`) so every line
 * about a call carries its id. LOG_LEVEL picks the level (default `info`; tests default to `silent`).
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'callsight' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger for tests and libraries used without a host logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
