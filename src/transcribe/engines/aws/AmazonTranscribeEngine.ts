import { TranscribeStreamingClient } from '@aws-sdk/client-transcribe-streaming';
import { InvalidStateError } from '../../../platform/errors.js';
import { silentLogger, type Logger } from '../../../platform/logger.js';
import type { OpenStreamOptions, SpeechEngine } from '../../SpeechEngineTypes.js';
import { AmazonTranscribeStream } from './AmazonTranscribeStream.js';

export interface AmazonTranscribeEngineOptions {
  readonly name: string;
  readonly region: string;
  /** Absent: AWS's endpoint for the region. */
  readonly endpoint?: string;
  /** Absent: the AWS SDK's default credential chain. Never logged. */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly maxBufferedMs: number;
  readonly logger?: Logger;
}

/**
 * Amazon Transcribe streaming, the service Chime's call analytics uses: StartStreamTranscription
 * for AmazonTranscribeProcessor, StartCallAnalyticsStreamTranscription (sentiment, issues,
 * categories and PII from AWS) for AmazonTranscribeCallAnalyticsProcessor. One HTTP/2 stream per
 * channel, all on the engine's one client (one HTTP/2 connection).
 */
export class AmazonTranscribeEngine implements SpeechEngine {
  readonly name: string;
  readonly kind = 'amazon-transcribe';
  readonly #options: AmazonTranscribeEngineOptions;
  readonly #logger: Logger;
  readonly #client: TranscribeStreamingClient;
  #closed = false;

  constructor(options: AmazonTranscribeEngineOptions) {
    this.name = options.name;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#client = new TranscribeStreamingClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  /** Nothing to load: credentials and the service are checked by each stream (failures fall back). */
  ready(): Promise<void> {
    return this.#closed ? Promise.reject(new InvalidStateError('speech engine')) : Promise.resolve();
  }

  openStream(options: OpenStreamOptions): AmazonTranscribeStream {
    if (this.#closed) throw new InvalidStateError('speech engine');
    return new AmazonTranscribeStream({
      engineName: this.name,
      client: this.#client,
      channel: options.channel,
      settings: options.settings,
      callAnalytics: options.callAnalytics === true,
      maxBufferedMs: this.#options.maxBufferedMs,
      logger: this.#logger.child({ engine: this.name, channel: options.channel }),
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#client.destroy();
    return Promise.resolve();
  }
}
