import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface CertificateNames {
  /** Subject CN (default: the first DNS name, else "callsight-test"). */
  readonly cn?: string;
  readonly dns?: readonly string[];
  /** subjectAltName URIs, e.g. `sip:example.com` (RFC 5922 §7.1). */
  readonly uris?: readonly string[];
  readonly ips?: readonly string[];
}

/**
 * A throwaway certificate authority made with Debian's openssl CLI for one test run: an EC P-256 CA
 * and the leaf certificates a test asks for, in a temporary folder removed by cleanup(). Nothing
 * here is committed, so no private key that looks real ever is.
 */
export class TestCa {
  readonly dir: string;
  readonly caFile: string;
  readonly #caKey: string;
  #serial = 1;

  private constructor(dir: string, name: string) {
    this.dir = dir;
    this.caFile = join(dir, `${name}.crt`);
    this.#caKey = join(dir, `${name}.key`);
    const caExtensions = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
    openssl([
      ...newKeyRequest(this.#caKey, `/CN=${name}`),
      ...['-x509', '-out', this.caFile, '-days', '2'],
      ...caExtensions.flatMap((extension) => ['-addext', extension]),
    ]);
  }

  static create(name = 'Callsight Test CA'): TestCa {
    return new TestCa(mkdtempSync(join(tmpdir(), 'callsight-ca-')), name.replace(/[^\w -]/g, ''));
  }

  /** A leaf certificate for these names, signed by this CA, usable by servers and clients. */
  issue(file: string, names: CertificateNames): IssuedCertificate {
    const keyFile = join(this.dir, `${file}.key`);
    const certFile = join(this.dir, `${file}.crt`);
    const csr = join(this.dir, `${file}.csr`);
    const ext = join(this.dir, `${file}.ext`);
    const cn = names.cn ?? names.dns?.[0] ?? 'callsight-test';
    openssl([...newKeyRequest(keyFile, `/CN=${cn}`), '-out', csr]);
    const alt = [
      ...(names.dns ?? []).map((n) => `DNS:${n}`),
      ...(names.uris ?? []).map((u) => `URI:${u}`),
      ...(names.ips ?? []).map((i) => `IP:${i}`),
    ];
    writeFileSync(
      ext,
      [
        'basicConstraints=CA:FALSE',
        'extendedKeyUsage=serverAuth,clientAuth',
        ...(alt.length > 0 ? [`subjectAltName=${alt.join(',')}`] : []),
      ].join('\n'),
    );
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      this.caFile,
      '-CAkey',
      this.#caKey,
      '-set_serial',
      String(this.#serial++),
      '-out',
      certFile,
      '-days',
      '2',
      '-extfile',
      ext,
    ]);
    return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `openssl req` arguments that make a new P-256 key in `keyFile` for `subject`. */
function newKeyRequest(keyFile: string, subject: string): string[] {
  return [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-subj',
    subject,
  ];
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
