import { pino, type Logger } from 'pino';

export interface CapturedLogger {
  readonly logger: Logger;
  /** Every line written so far, parsed. */
  readonly lines: Record<string, unknown>[];
  /** Every line written so far, as written. */
  text(): string;
}

/** A pino logger (level debug) whose JSON lines the test reads back. */
export function capturedLogger(): CapturedLogger {
  const raw: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void raw.push(line) });
  return {
    logger,
    get lines() {
      return raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
}
