import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ByteRange, S3Settings } from './RecordingStoreTypes.js';

/** One object of a listing. */
export interface S3ObjectInfo {
  readonly key: string;
  readonly sizeBytes: number;
  readonly lastModified: Date;
}

/** Parts of a multipart upload: large enough for few requests, small enough to retry cheaply. */
const PART_BYTES = 8 * 1024 * 1024;

/**
 * The few S3 operations recordings need, on any S3-compatible store, through the AWS SDK for
 * JavaScript v3. Files go up with lib-storage's Upload (one PUT when small, a multipart upload with
 * two parts in flight when not), read straight from disk.
 */
export class S3Bucket {
  readonly name: string;
  readonly #settings: S3Settings;
  readonly #client: S3Client;

  constructor(settings: S3Settings) {
    this.name = settings.bucket;
    this.#settings = settings;
    const config: S3ClientConfig = {
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      // Checksums only where S3 requires them: many S3-compatible stores reject the SDK's default
      // CRC32 trailers on uploads.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.accessKeyId
        ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
        : {}),
    };
    this.#client = new S3Client(config);
  }

  /** `s3://bucket/key`. */
  urlOf(key: string): string {
    return `s3://${this.name}/${key}`;
  }

  /** The settings that may be logged (no secret). */
  describe(): Record<string, unknown> {
    const { endpoint, bucket, region, forcePathStyle, accessKeyId } = this.#settings;
    return {
      endpoint: endpoint || '(AWS)',
      bucket,
      region,
      forcePathStyle,
      credentials: accessKeyId ? 'configured' : 'default chain',
    };
  }

  async upload(key: string, file: string, contentType: string): Promise<void> {
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.name, Key: key, Body: createReadStream(file), ContentType: contentType },
      partSize: PART_BYTES,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  /** Every object under `prefix`, page by page. */
  async *list(prefix = ''): AsyncGenerator<S3ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.name,
          ...(prefix ? { Prefix: prefix } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key,
          sizeBytes: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const response = await this.#client.send(
      new GetObjectCommand({
        Bucket: this.name,
        Key: key,
        ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      }),
    );
    // In Node.js the SDK's body is an http.IncomingMessage (a Readable).
    return response.Body as Readable;
  }

  async delete(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.name, Key: key }));
  }

  close(): void {
    this.#client.destroy();
  }
}
