import type { CallDirectory } from '../calls/CallDirectoryTypes.js';
import type { PostgresSipHeartbeats } from '../calls/PostgresSipHeartbeats.js';
import type { EventBus } from '../events/EventBus.js';
import type { EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import { counter, type ScrapedMetric } from '../platform/metrics.js';
import { LOST_REASON, closeCallsLeftOpen } from './openCalls.js';

/**
 * Scaled out, a sip process that dies and does not come back (its machine is gone, it moved) leaves
 * its calls open in the directory; one that comes back on its address closes them itself
 * (clusterSip.ts). For the first case each sip process writes a heartbeat to PostgreSQL every third
 * of worker.sipLostAfterMs (keepSipHeartbeat), and every worker looks, as often, for sip processes
 * silent for longer than that which still have open calls (closeCallsOfLostSips), and closes them as
 * a restart would, with LOST_REASON. Ending a call in the directory is row-locked, so a call closed
 * by two workers at once, or by a worker and its sip process coming back, gets its records once.
 */

export interface SipHeartbeat {
  close(): Promise<void>;
}

/** Beats now (awaited: the first beat is written before calls arrive), then every `intervalMs`. */
export async function keepSipHeartbeat(input: {
  readonly heartbeats: PostgresSipHeartbeats;
  /** Read at each beat: a process on a wildcard port learns its name once it listens. */
  readonly owner: () => string;
  readonly intervalMs: number;
  readonly log: Logger;
}): Promise<SipHeartbeat> {
  const { heartbeats, log } = input;
  let failing = false;
  const beat = () =>
    heartbeats.beat(input.owner()).then(
      () => {
        if (failing) log.info('sip heartbeat written again');
        failing = false;
      },
      (err: unknown) => {
        // Once per outage, not at every beat.
        if (!failing) log.error({ err }, 'sip heartbeat not written: workers may close this process’s calls');
        failing = true;
      },
    );
  await beat();
  const every = oneAtATime(beat, input.intervalMs);
  return {
    async close() {
      await every.stop();
      await heartbeats
        .forget(input.owner())
        .catch((err: unknown) => log.warn({ err }, 'sip heartbeat not removed'));
    },
  };
}

export interface LostSipWatch {
  metrics(): ScrapedMetric[];
  close(): Promise<void>;
}

/** Every `lostAfterMs / 3`, closes the open calls of sip processes silent for longer than `lostAfterMs`. */
export function closeCallsOfLostSips(input: {
  readonly heartbeats: PostgresSipHeartbeats;
  readonly directory: CallDirectory;
  readonly bus: EventBus;
  readonly origin: EventOrigin;
  readonly log: Logger;
  readonly lostAfterMs: number;
  /** After a call is closed here: tells the worker running its pipelines. */
  readonly closed: (callId: string) => void;
}): LostSipWatch {
  const { heartbeats, lostAfterMs, log } = input;
  let callsClosed = 0;
  let failing = false;
  const sweep = async () => {
    for (const owner of await heartbeats.lost(lostAfterMs)) {
      log.warn({ owner, lostAfterMs }, 'sip process lost (no heartbeat): closing its calls');
      callsClosed += await closeCallsLeftOpen({
        directory: input.directory,
        owner,
        bus: input.bus,
        origin: input.origin,
        log,
        pipelines: false,
        reason: LOST_REASON,
        closed: input.closed,
      });
    }
  };
  const every = oneAtATime(
    () =>
      sweep().then(
        () => {
          failing = false;
        },
        (err: unknown) => {
          if (!failing) log.error({ err }, 'lost sip processes: look-up failed');
          failing = true;
        },
      ),
    Math.floor(lostAfterMs / 3),
  );
  return {
    metrics: () => [
      counter(
        'callsight_sip_lost_calls_closed_total',
        'Calls of a sip process whose heartbeat stopped (worker.sipLostAfterMs), closed as FAILED by this worker.',
        () => callsClosed,
      ),
    ],
    close: () => every.stop(),
  };
}

/** Runs `task` every `intervalMs`, skipping a turn while the last run is still going (a slow database). */
function oneAtATime(task: () => Promise<void>, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    running ??= task().finally(() => {
      running = null;
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
