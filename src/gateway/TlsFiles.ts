import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from '../platform/logger.js';

export interface TlsFileOptions {
  /** PEM certificate chain. */
  readonly certFile: string;
  readonly keyFile: string;
  /** How often the files are checked for a change. Default 5000 ms. */
  readonly reloadIntervalMs?: number;
}

export function readTlsFiles(options: TlsFileOptions): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(options.certFile), key: readFileSync(options.keyFile) };
}

/**
 * Reloads the certificate and key when either file changes (a renewal by certbot, a Kubernetes secret
 * update), without a restart: new connections get the new pair; open ones keep theirs. A pair that
 * does not load (half-written, mismatched) is logged and the previous one stays. Returns the stop.
 */
export function watchTlsFiles(server: HttpsServer, options: TlsFileOptions, logger: Logger): () => void {
  const interval = options.reloadIntervalMs ?? 5000;
  const reload = (current: Stats, previous: Stats) => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
    try {
      server.setSecureContext(readTlsFiles(options));
      logger.info({ certFile: options.certFile }, 'TLS certificate reloaded');
    } catch (err) {
      logger.warn(
        { err, certFile: options.certFile },
        'TLS certificate not reloaded: keeping the previous one',
      );
    }
  };
  for (const file of [options.certFile, options.keyFile])
    watchFile(file, { interval, persistent: false }, reload);
  return () => {
    for (const file of [options.certFile, options.keyFile]) unwatchFile(file, reload);
  };
}
