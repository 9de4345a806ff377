import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { CallsightError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { TypedEmitter } from '../../platform/TypedEmitter.js';

/** The PEM files SIP over TLS uses (sip.tls* settings). */
export interface TlsFiles {
  /** Our certificate chain, leaf first. */
  readonly certFile: string;
  readonly keyFile: string;
  /** CAs trusted for the servers we connect to; empty: Node's bundled public CAs. */
  readonly caFile?: string;
  /** CAs that must have signed a client's certificate (mutual TLS); empty: no client certificate asked. */
  readonly clientCaFile?: string;
}

interface Loaded {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
  readonly clientCa: Buffer | undefined;
}

function read(path: string, setting: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new CallsightError(
      'CS_ERR_CONFIG_INVALID',
      `${setting}: cannot read ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

function load(files: TlsFiles): Loaded {
  const loaded: Loaded = {
    cert: read(files.certFile, 'sip.tlsCertFile'),
    key: read(files.keyFile, 'sip.tlsKeyFile'),
    ca: files.caFile ? read(files.caFile, 'sip.tlsCaFile') : undefined,
    clientCa: files.clientCaFile ? read(files.clientCaFile, 'sip.tlsClientCaFile') : undefined,
  };
  try {
    // Proves the files parse and the key belongs to the certificate before anything uses them.
    createSecureContext({ cert: loaded.cert, key: loaded.key });
  } catch (cause) {
    throw new CallsightError(
      'CS_ERR_CONFIG_INVALID',
      `sip.tlsCertFile / sip.tlsKeyFile: not a usable certificate and key: ${(cause as Error).message}`,
      { cause },
    );
  }
  return loaded;
}

/**
 * The certificate, key and CA files of SIP over TLS, read at start and again whenever one of them
 * changes (their modification time, polled: fs.watch misses the rename by which certbot and most
 * tools replace a file). A file that fails to load (half written, key and certificate not yet both
 * renewed) keeps the previous credentials in use and is retried on its next change.
 */
export class TlsCredentials extends TypedEmitter<{ changed: [] }> {
  readonly #files: TlsFiles;
  readonly #logger: Logger;
  readonly #paths: string[];
  #loaded: Loaded;

  private constructor(files: TlsFiles, loaded: Loaded, logger: Logger, pollMs: number) {
    super(logger);
    this.#files = files;
    this.#loaded = loaded;
    this.#logger = logger;
    this.#paths = [files.certFile, files.keyFile, files.caFile, files.clientCaFile].filter(
      (p): p is string => !!p,
    );
    const changed = (current: Stats, previous: Stats) => {
      if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size) this.#reload();
    };
    for (const path of this.#paths) watchFile(path, { interval: pollMs, persistent: false }, changed);
  }

  /** Reads the files (throws CS_ERR_CONFIG_INVALID naming the setting) and watches them. */
  static load(files: TlsFiles, logger: Logger, pollMs = 5000): TlsCredentials {
    return new TlsCredentials(files, load(files), logger, pollMs);
  }

  #reload(): void {
    try {
      this.#loaded = load(this.#files);
    } catch (err) {
      this.#logger.warn({ err }, 'SIP TLS files changed but do not load: keeping the previous certificate');
      return;
    }
    this.#logger.info({ certFile: this.#files.certFile }, 'SIP TLS certificate reloaded');
    this.safeEmit('changed');
  }

  /** Whether clients must present a certificate (sip.tlsClientCaFile is set). */
  get mutual(): boolean {
    return this.#loaded.clientCa !== undefined;
  }

  /** What the listener presents and checks clients against. */
  serverOptions(): SecureContextOptions {
    const { cert, key, clientCa } = this.#loaded;
    return { cert, key, ...(clientCa ? { ca: clientCa } : {}) };
  }

  /** What an outbound connection trusts and presents (our certificate, for SBCs that want mutual TLS). */
  clientOptions(): SecureContextOptions {
    const { cert, key, ca } = this.#loaded;
    return { cert, key, ...(ca ? { ca } : {}) };
  }

  close(): void {
    for (const path of this.#paths) unwatchFile(path);
  }
}
