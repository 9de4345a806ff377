import type { SipCaller } from '../../scripts/lib/SipCaller.js';
import { SendLog } from './SendLog.js';
import type { TranscriptFeed } from './TranscriptFeed.js';
import { sleep } from './util.js';
import { errorMessage } from '../../src/platform/errors.js';

/** How long to wait, after hanging up, for the call's pipeline to flush and report Stopped. */
const END_TIMEOUT_MS = 60_000;
/**
 * Pause between the ACK and the first RTP packet. Callsight pins a call's media clock to the moment
 * its event loop handles the first packet; sent at once, that packet waits behind the ACK's work
 * (events, stream appends, pipeline start) and every media time of the call comes out late by that
 * wait, which would read as negative latency.
 */
const MEDIA_DELAY_MS = 100;

export interface TranscribedCallOptions {
  readonly caller: SipCaller;
  readonly sipPort: number;
  readonly feed: TranscriptFeed;
  /** 8 kHz speech to play. */
  readonly samples: Int16Array;
  /** Unique per call: the To number, which tells this call's records apart. */
  readonly tag: string;
  /** Wait this long before dialling (staggers concurrent calls). */
  readonly startDelayMs?: number;
}

/** Audio-to-WebSocket latencies of one call's Transcribe records. */
export interface TranscribedCallResult {
  readonly tag: string;
  /** Arrival of each partial's frame − send time of the packet holding its EndTime. */
  readonly partialMs: number[];
  /** Arrival of each final's frame − send time of the packet holding its last word's EndTime. */
  readonly finalMs: number[];
  /** Finals without words (an utterance whose partials decoded to something, the final to nothing). */
  readonly emptyFinals: number;
  /** Arrival of the call's last final − send time of its last RTP packet (NaN if no final). */
  readonly lastFinalLagMs: number;
  readonly audioSeconds: number;
  /** Media times that mapped outside the packets sent (clamped); should be 0. */
  readonly clamped: number;
  /** Why the call did not complete cleanly, if it did not. */
  readonly error: string | null;
}

/**
 * Places one call over SIP, plays `samples` in real time, hangs up, waits for its pipeline to stop,
 * and maps every Transcribe record back to when its audio was sent (see SendLog).
 */
export async function runTranscribedCall(options: TranscribedCallOptions): Promise<TranscribedCallResult> {
  const { caller, sipPort, feed, samples, tag } = options;
  const log = new SendLog();
  const records = feed.watch(tag);
  let error: string | null = null;
  if (options.startDelayMs) await sleep(options.startDelayMs);
  try {
    const outcome = await caller.call({
      host: '127.0.0.1',
      port: sipPort,
      fromNumber: '+15555550100',
      toNumber: tag,
      samples,
      tailMs: 1000,
      mediaDelayMs: MEDIA_DELAY_MS,
      onAnswered: log.onAnswered,
      onPacket: log.onPacket,
    });
    if (outcome.endedBy !== 'caller') error = 'Callsight hung up';
  } catch (err) {
    error = errorMessage(err);
  }
  if (!(await records.ended(END_TIMEOUT_MS))) error ??= `pipeline did not stop within ${END_TIMEOUT_MS} ms`;
  else if (records.end?.eventType !== 'chime:MediaInsightsStopped')
    error ??= `pipeline ${records.end?.eventType}`;

  const partialMs: number[] = [];
  const finalMs: number[] = [];
  let emptyFinals = 0;
  let lastFinalAt = Number.NaN;
  // NaN (no packet sent to map to) is left out rather than poisoning the percentiles.
  const keep = (into: number[], latency: number) => Number.isFinite(latency) && into.push(latency);
  for (const { arrivedAt, event } of records.transcripts) {
    if (event.IsPartial) {
      keep(partialMs, arrivedAt - log.sentAtForMediaTime(event.EndTime));
      continue;
    }
    lastFinalAt = arrivedAt;
    const lastWord = event.Alternatives[0].Items.at(-1);
    if (!lastWord) emptyFinals++;
    else keep(finalMs, arrivedAt - log.sentAtForMediaTime(lastWord.EndTime));
  }
  return {
    tag,
    partialMs,
    finalMs,
    emptyFinals,
    lastFinalLagMs: lastFinalAt - log.lastSentAt,
    audioSeconds: samples.length / 8000,
    clamped: log.clamped,
    error,
  };
}
