import { createSocket } from 'node:dgram';
import { readWav } from '../../src/media/wav/WavFile.js';
import { sendRtp } from '../../scripts/lib/RtpSender.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';
import { callIdOf, detailOf, type RecordCollector } from './wsRecords.js';

const WAV = new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname;

/**
 * A real call to Callsight's SIP port (SipCaller, the demo customer's speech as PCMU RTP) that its
 * caller never hangs up: stop() only stops sending, as a phone does whose Callsight died mid-call.
 */
export async function startUnendingCall(sipPort: number): Promise<{ stop(): Promise<void> }> {
  const caller = await SipCaller.open('127.0.0.1');
  const rtp = createSocket('udp4');
  await new Promise<void>((resolve) => rtp.bind(0, '127.0.0.1', resolve));
  const sending = new AbortController();
  const stop = async (audio?: Promise<unknown>) => {
    sending.abort();
    await audio;
    rtp.close();
    caller.close();
  };
  try {
    const dialed = await caller.dial({
      host: '127.0.0.1',
      port: sipPort,
      fromNumber: '+15555550100',
      toNumber: '+18005550100',
      rtpPort: rtp.address().port,
    });
    const audio = sendRtp({
      remote: dialed.rtpTarget,
      encoding: 'PCMU',
      payloadType: 0,
      samples: readWav(WAV).samples,
      socket: rtp,
      signal: sending.signal,
    }).catch(() => undefined);
    return { stop: () => stop(audio) };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Waits until a call has started and its pipeline is in progress; its id and start time (epoch ms). */
export async function callInProgress(live: RecordCollector): Promise<{ callId: string; startedAt: number }> {
  const started = await live.waitFor((f) => detailOf(f).streamingStatus === 'ALL_STARTED', 15_000);
  const callId = callIdOf(started)!;
  await live.waitFor(
    (f) => callIdOf(f) === callId && detailOf(f).eventType === 'chime:MediaInsightsInProgress',
    30_000,
    'the pipeline in progress',
  );
  return { callId, startedAt: Date.parse(detailOf(started).startTime as string) };
}
