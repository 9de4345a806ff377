import { randomUUID } from 'node:crypto';
import { createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec, getChunkedStream } from '@smithy/core/event-streams';
import type { RecognitionResult } from '../../../src/transcribe/SpeechEngineTypes.js';
import type { RecognizerBackend } from './RecognizerBackend.js';

/**
 * Amazon Transcribe streaming as the AWS SDK speaks it, from the service's documentation
 * ("Setting up a streaming transcription", HTTP/2 and "Event stream encoding"): a POST over HTTP/2
 * to `/stream-transcription` (StartStreamTranscription) or `/call-analytics-stream-transcription`
 * (StartCallAnalyticsStreamTranscription), parameters as `x-amzn-transcribe-*` headers, a SigV4
 * `Authorization` header and `x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-EVENTS`; the body is
 * event-stream messages, each a signed envelope (`:date`, `:chunk-signature`) whose payload is the
 * event message (`:message-type` event, `:event-type` AudioEvent or ConfigurationEvent, payload the
 * PCM); an envelope with an empty payload ends the input. The answer is event-stream messages:
 * TranscriptEvent (JSON `{Transcript: {Results: […]}}`), or UtteranceEvent/CategoryEvent for Call
 * Analytics, or an exception message. Frames are decoded with @smithy/core's event-stream codec.
 * The signature itself is not checked (that needs AWS's secret); its format is.
 *
 * Recognition is real (pocketsphinx). For Call Analytics the analysis is this server's own rule,
 * so that the mapping can be checked: an utterance with "charge" or "charged" is NEGATIVE with that
 * word as an issue, and is matched to a category `billing`; others are NEUTRAL.
 */
export interface RecordedStream {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly audioEvents: number;
  readonly configurationEvents: readonly unknown[];
}

/** `AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/transcribe/aws4_request, SignedHeaders=…, Signature=<64 hex>` (over HTTP/2 the SDK signs `:authority` too). */
export const SIGV4_AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/transcribe\/aws4_request, SignedHeaders=([a-z0-9:;-]+), Signature=[0-9a-f]{64}$/;

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => new TextDecoder().decode(bytes),
  (text: string) => new TextEncoder().encode(text),
);

type Message = Parameters<EventStreamCodec['encode']>[0];

const str = (value: string) => ({ type: 'string' as const, value });

export class TranscribeStreamingServer {
  readonly streams: RecordedStream[] = [];
  /** While true, the next audio event of every stream is answered with InternalFailureException. */
  failing = false;
  readonly #backend: RecognizerBackend;
  readonly #server: Http2Server = createServer();

  constructor(backend: RecognizerBackend) {
    this.#backend = backend;
    this.#server.on('stream', (stream, headers) => void this.#handle(stream, headers));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
    const path = String(headers[':path']);
    const callAnalytics = path === '/call-analytics-stream-transcription';
    const redact = headers['x-amzn-transcribe-content-redaction-type'] === 'PII';
    if (path !== '/stream-transcription' && !callAnalytics) {
      stream.respond({ ':status': 404 });
      stream.end();
      return;
    }
    const record = { path, headers, audioEvents: 0, configurationEvents: [] as unknown[] };
    this.streams.push(record);
    stream.respond({
      ':status': 200,
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-request-id': randomUUID(),
      'x-amzn-transcribe-session-id': randomUUID(),
    });
    const send = (message: Message) => {
      if (!stream.closed) stream.write(codec.encode(message));
    };
    const event = (type: string, body: unknown) =>
      send({
        headers: {
          ':message-type': str('event'),
          ':event-type': str(type),
          ':content-type': str('application/json'),
        },
        body: new TextEncoder().encode(JSON.stringify(body)),
      });
    const session = this.#backend.open((result) => {
      if (callAnalytics) {
        const utterance = utteranceEvent(result);
        event('UtteranceEvent', utterance);
        if (!result.isPartial && utterance.Sentiment === 'NEGATIVE') {
          event('CategoryEvent', {
            MatchedCategories: ['billing'],
            MatchedDetails: {
              billing: {
                TimestampRanges: [
                  {
                    BeginOffsetMillis: utterance.BeginOffsetMillis,
                    EndOffsetMillis: utterance.EndOffsetMillis,
                  },
                ],
              },
            },
          });
        }
      } else {
        event('TranscriptEvent', { Transcript: { Results: [transcriptResult(result, redact)] } });
      }
    });
    try {
      for await (const envelope of getChunkedStream(stream as AsyncIterable<Uint8Array>)) {
        const outer = codec.decode(envelope);
        if (outer.body.length === 0) break; // the signed empty frame: no more input
        const inner = codec.decode(outer.body);
        const type = inner.headers[':event-type']?.value;
        if (type === 'ConfigurationEvent') {
          record.configurationEvents.push(JSON.parse(new TextDecoder().decode(inner.body)));
        } else if (type === 'AudioEvent') {
          record.audioEvents++;
          const b = inner.body;
          session.write(new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
          if (this.failing) {
            send({
              headers: {
                ':message-type': str('exception'),
                ':exception-type': str('InternalFailureException'),
                ':content-type': str('application/json'),
              },
              body: new TextEncoder().encode(JSON.stringify({ Message: 'An internal error occurred.' })),
            });
            stream.end();
            await session.end();
            return;
          }
        }
      }
      await session.end();
      stream.end();
    } catch {
      stream.close();
      await session.end().catch(() => undefined);
    }
  }
}

const seconds = (ms: number) => Math.round(ms) / 1000;

/**
 * A StartStreamTranscription Result. With ContentRedactionType PII this stand-in redacts by a rule
 * of its own, not Transcribe's: the first word of every final is a NAME entity, `[PII]` in the
 * transcript and its item, its times those of the word.
 */
function transcriptResult(r: RecognitionResult, redact = false): object {
  const first = r.words[0];
  if (redact && !r.isPartial && first) {
    const entity = {
      StartTime: seconds(first.startMs),
      EndTime: seconds(first.endMs),
      Category: 'PII',
      Type: 'NAME',
      Content: '[PII]',
      Confidence: 1,
    };
    const words = [{ ...first, word: '[PII]' }, ...r.words.slice(1)];
    const plain = transcriptResult(
      { ...r, transcript: words.map((w) => w.word).join(' '), words },
      false,
    ) as { Alternatives: object[] };
    return { ...plain, Alternatives: [{ ...plain.Alternatives[0], Entities: [entity] }] };
  }
  return {
    ResultId: r.resultId,
    StartTime: seconds(r.startMs),
    EndTime: seconds(r.endMs),
    IsPartial: r.isPartial,
    ChannelId: 'ch_0',
    Alternatives: [
      {
        Transcript: r.transcript,
        Items: r.words.map((w) => ({
          StartTime: seconds(w.startMs),
          EndTime: seconds(w.endMs),
          Type: 'pronunciation',
          Content: w.word,
          Confidence: w.confidence,
          VocabularyFilterMatch: false,
          Stable: !r.isPartial,
        })),
      },
    ],
  };
}

function utteranceEvent(r: RecognitionResult) {
  const issue = /\bcharged?\b/.exec(r.transcript);
  return {
    UtteranceId: r.resultId,
    IsPartial: r.isPartial,
    ParticipantRole: 'CUSTOMER',
    BeginOffsetMillis: Math.round(r.startMs),
    EndOffsetMillis: Math.round(r.endMs),
    Transcript: r.transcript,
    Items: r.words.map((w) => ({
      BeginOffsetMillis: Math.round(w.startMs),
      EndOffsetMillis: Math.round(w.endMs),
      Type: 'pronunciation',
      Content: w.word,
      Confidence: w.confidence,
      VocabularyFilterMatch: false,
      Stable: !r.isPartial,
    })),
    Entities: [],
    ...(r.isPartial ? {} : { Sentiment: issue ? 'NEGATIVE' : 'NEUTRAL' }),
    IssuesDetected:
      issue && !r.isPartial
        ? [{ CharacterOffsets: { Begin: issue.index, End: issue.index + issue[0].length } }]
        : [],
  };
}
