/**
 * `npm run demo-call`: places a real SIP call to a running Callsight and plays a speech WAV file over
 * RTP, so that the live transcript shows on the web page — and, given an API token, prints the call's
 * final transcript lines as they arrive (the client package's stream()). Run with --help for the options.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { readWav } from '../src/media/wav/WavFile.js';
import { CallRejectedError, SipCaller } from './lib/SipCaller.js';
import { errorMessage } from '../src/platform/errors.js';
import {
  DetailType,
  callIdOf,
  isStateChange,
  isStreamingStatus,
  isTranscribe,
  stream,
} from '../client/src/index.js';

const DEFAULT_WAV = fileURLToPath(new URL('../test/fixtures/audio/demo-customer.wav', import.meta.url));

const HELP = `Usage: npm run demo-call -- [options]

Places a SIP call (UDP) to Callsight and plays an 8 kHz mono WAV file as G.711 µ-law RTP.

  --host HOST     Callsight's SIP address            (default 127.0.0.1)
  --port PORT     Callsight's SIP UDP port           (default $CALLSIGHT_SIP_UDP_PORT or 5060)
  --file WAV      8 kHz 16-bit mono WAV to play      (default test/fixtures/audio/demo-customer.wav)
  --from NUMBER   caller number                      (default +15555550100)
  --to NUMBER     called number                      (default +15555550199)
  --local ADDR    local address to call from         (default: the address that routes to --host)
  --http PORT     Callsight's HTTP port, for the page link and the stream (default $CALLSIGHT_HTTP_PORT or 8080)
  --token TOKEN   an API token (viewer or above): print the call's transcript here as it arrives
                  (default $CALLSIGHT_TOKEN; without one, only the web page shows it)
  -h, --help      this text`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: process.env.CALLSIGHT_SIP_UDP_PORT ?? '5060' },
      file: { type: 'string', default: DEFAULT_WAV },
      from: { type: 'string', default: '+15555550100' },
      to: { type: 'string', default: '+15555550199' },
      local: { type: 'string' },
      http: { type: 'string', default: process.env.CALLSIGHT_HTTP_PORT ?? '8080' },
      token: { type: 'string', default: process.env.CALLSIGHT_TOKEN },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`demo-call: --port must be a port number, got "${values.port}"\n`);
    return 2;
  }
  const audio = readWav(values.file);
  if (audio.sampleRate !== 8000) {
    process.stderr.write(
      `demo-call: ${values.file} is ${audio.sampleRate} Hz; convert it first: sox in.wav -r 8000 -c 1 -b 16 out.wav\n`,
    );
    return 2;
  }
  const seconds = (audio.samples.length / 8000).toFixed(1);
  const pageHost = values.host === '0.0.0.0' ? '127.0.0.1' : values.host;
  const transcript = values.token
    ? await followCall(`http://${pageHost}:${values.http}`, values.token, values.from, values.to)
    : null;
  const caller = await SipCaller.open(values.host, values.local);
  process.stdout.write(`Calling sip:${values.to}@${values.host}:${port} from ${values.from} ...\n`);
  try {
    const outcome = await caller.call({
      host: values.host,
      port,
      fromNumber: values.from,
      toNumber: values.to,
      samples: audio.samples,
      onAnswered: ({ rtpTarget }) => {
        process.stdout.write(
          `Answered. Playing ${seconds} s of audio to ${rtpTarget.address}:${rtpTarget.port}.\n` +
            `Watch the live transcript at http://${pageHost}:${values.http}/\n`,
        );
      },
    });
    process.stdout.write(
      outcome.endedBy === 'caller'
        ? `Hung up after ${outcome.packetsSent} RTP packets.\n`
        : `Callsight ended the call after ${outcome.packetsSent} RTP packets.\n`,
    );
    if (transcript && !(await transcript.ended(PIPELINE_STOP_WAIT_MS)))
      process.stdout.write(
        `(the call's pipeline had not stopped ${PIPELINE_STOP_WAIT_MS / 1000} s after the hang-up)\n`,
      );
    return 0;
  } catch (err) {
    if (err instanceof CallRejectedError) {
      process.stderr.write(`demo-call: Callsight answered ${err.status} ${err.reason}\n`);
    } else {
      process.stderr.write(
        `demo-call: ${errorMessage(err)}\n  Is Callsight running? Start it with: npm run launch\n`,
      );
    }
    return 1;
  } finally {
    caller.close();
    transcript?.stop();
  }
}

const PIPELINE_STOP_WAIT_MS = 30_000;
const CONNECT_WAIT_MS = 5_000;

/**
 * Follows the stream (live, resuming after a break) for the call from `fromNumber` to `toNumber`:
 * prints its final transcript lines as they arrive, until its pipeline stops. Resolves once connected.
 */
async function followCall(
  url: string,
  token: string,
  fromNumber: string,
  toNumber: string,
): Promise<{ ended: (timeoutMs: number) => Promise<boolean>; stop: () => void } | null> {
  const stop = new AbortController();
  let callId: string | null = null;
  let connected: () => void = () => undefined;
  const open = new Promise<void>((resolve) => (connected = resolve));
  const records = stream({
    url,
    credentials: { token },
    types: [DetailType.StreamingStatus, DetailType.Transcribe, DetailType.StateChange],
    signal: stop.signal,
    onStatus: (status) => {
      if (status.state === 'open') connected();
    },
  });
  const done = (async () => {
    for await (const record of records) {
      if (callId === null) {
        const detail = isStreamingStatus(record) ? record.detail : null;
        if (detail?.fromNumber === fromNumber && detail.toNumber === toNumber) callId = detail.callId;
      } else if (callIdOf(record) !== callId) {
        continue;
      } else if (isTranscribe(record) && !record.TranscriptEvent.IsPartial) {
        const { ChannelId, Alternatives } = record.TranscriptEvent;
        process.stdout.write(`  ${ChannelId}: ${Alternatives[0]?.Transcript ?? ''}\n`);
      } else if (isStateChange(record) && record.detail.eventType === 'chime:MediaInsightsStopped') {
        return true;
      }
    }
    return false;
  })().catch((err: unknown) => {
    process.stderr.write(`demo-call: the stream: ${errorMessage(err)}\n`);
    return false;
  });
  const reached = await Promise.race([
    open.then(() => true),
    done,
    new Promise<boolean>((resolve) => setTimeout(resolve, CONNECT_WAIT_MS, false).unref()),
  ]);
  if (!reached) {
    stop.abort();
    process.stderr.write(`demo-call: no stream at ${url}/ws (--http); calling without the transcript here\n`);
    return null;
  }
  return {
    ended: (timeoutMs) =>
      Promise.race([done, new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref())]),
    stop: () => stop.abort(),
  };
}

void main().then((code) => (process.exitCode = code));
