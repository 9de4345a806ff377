import { DetailType } from '../events/DetailTypes.js';
import {
  CALLSIGHT_SOURCE,
  makeEvent,
  type EventEnvelope,
  type EventOrigin,
} from '../events/EventEnvelope.js';
import { CallsightError, errorMessage } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';

/** Something that keeps data about calls and can forget one (the data stream, recordings, stores). */
export interface ErasablePart {
  /** Removes everything it holds of the call; resolves with how many items went (0: nothing held). */
  eraseCall(callId: string): Promise<number>;
}

/** What one erasure removed, by part: no content, only counts. */
export interface ErasureReport {
  readonly callId: string;
  readonly erasedAt: string;
  readonly removed: Readonly<Record<string, number>>;
  /** `retention`: erased because its configuration's CallsightRetentionDays ran out; absent: on request. */
  readonly reason?: 'retention';
}

export interface CallErasureOptions {
  /** Named parts, erased in this order: the names appear in the report and the audit record. */
  readonly parts: Readonly<Record<string, ErasablePart>>;
  /** A call in progress is not erased: its records and recording are still being written. */
  readonly inProgress: (callId: string) => Promise<boolean>;
  /** Writes the audit record (on the data stream, where the erasure itself must not take it). */
  readonly audit: (event: EventEnvelope<ErasureReport>) => Promise<unknown>;
  readonly origin: EventOrigin;
  readonly logger: Logger;
}

/**
 * Erasure (right to be forgotten, DELETE /api/calls/{callId}): every part forgets the call, then a
 * `Callsight Call Erased` record says that it happened, when, and how much went — never what. Every
 * part's erasure is idempotent, so a request that stopped half way is repeated, not undone.
 */
export class CallErasure {
  readonly #options: CallErasureOptions;

  constructor(options: CallErasureOptions) {
    this.#options = options;
  }

  async erase(callId: string, reason?: 'retention'): Promise<ErasureReport> {
    const { parts, logger } = this.#options;
    if (await this.#options.inProgress(callId))
      throw new CallsightError(
        'CS_ERR_CALL_IN_PROGRESS',
        `call ${callId} is in progress; erase it once it has ended`,
      );
    const removed: Record<string, number> = {};
    for (const [name, part] of Object.entries(parts)) {
      try {
        removed[name] = await part.eraseCall(callId);
      } catch (cause) {
        logger.error({ err: cause, callId, part: name, removed }, 'call erasure stopped');
        throw new CallsightError(
          'CS_ERR_ERASURE_INCOMPLETE',
          `erasing call ${callId} stopped at the ${name} (${errorMessage(cause)}); what was erased stays erased: repeat the request`,
          { cause },
        );
      }
    }
    if (Object.values(removed).every((count) => count === 0))
      throw new CallsightError('CS_ERR_NOT_FOUND', `nothing is kept of call ${callId}`);
    const report: ErasureReport = {
      callId,
      erasedAt: new Date().toISOString(),
      removed,
      ...(reason ? { reason } : {}),
    };
    await this.#options.audit(
      makeEvent(DetailType.CallErased, report, this.#options.origin, new Date(report.erasedAt), {
        source: CALLSIGHT_SOURCE,
      }),
    );
    logger.info(report, 'call erased');
    return report;
  }
}
