import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export const BARESIP = '/usr/bin/baresip';
const MODULES = '/usr/lib/baresip/modules';
export const baresipAvailable =
  existsSync(BARESIP) &&
  ['aufile', 'aubridge', 'sndfile', 'g711', 'ctrl_tcp', 'menu', 'account'].every((m) =>
    existsSync(join(MODULES, `${m}.so`)),
  );

/** An event baresip's ctrl_tcp module reports (`CALL_INCOMING`, `CALL_ESTABLISHED`, `CALL_CLOSED`, …). */
export interface BaresipEvent {
  readonly type: string;
  readonly class?: string;
  readonly accountaor?: string;
  readonly direction?: string;
  readonly peeruri?: string;
  /** Call id (baresip's own), and for CALL_CLOSED the reason, e.g. "404 Not Found". */
  readonly id?: string;
  readonly param?: string;
  /** When the test received it (Date.now()). */
  readonly receivedAt: number;
}

export interface BaresipOptions {
  /** User part of the account AOR (the phone number). */
  readonly user: string;
  readonly answerMode: 'auto' | 'manual';
  /** 8 kHz mono 16-bit WAV played as the microphone (aufile). Without one, the call sends silence. */
  readonly wavPath?: string;
  /** Dump what is sent and received as WAV files (the sndfile module). */
  readonly dumpAudio?: boolean;
  /** Print every SIP message on stdout (-s). */
  readonly sipTrace?: boolean;
  /** SRTP with SDES (baresip's srtp module): offered best-effort, or mandatory (RTP/SAVP). */
  readonly mediaenc?: 'srtp' | 'srtp-mand';
  /** The account's audio codecs in order of preference, as baresip names them (`g722/16000/1`, `opus/48000/2`, `pcmu`). Default `pcmu,pcma`. */
  readonly audioCodecs?: string;
  /**
   * SIP over TLS: the CA file baresip trusts, and with `certificateFile` (its certificate and key
   * in one PEM file) it also listens for TLS, on `sipPort + 1` (`tlsPort`).
   */
  readonly tls?: { readonly caFile: string; readonly certificateFile?: string };
}

/** netstring framing of ctrl_tcp: `<length>:<bytes>,`. */
function netstring(json: string): Buffer {
  const body = Buffer.from(json);
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]);
}

/**
 * A real SIP phone nobody here wrote: Debian's baresip with its own config directory, an account
 * that does not register, audio from a WAV file (aufile) into a null player (aubridge), optionally
 * dumping the audio it sends and decodes (sndfile), driven over ctrl_tcp (JSON in netstrings), whose
 * events the test waits for. SIP on UDP and TCP on 127.0.0.1 (baresip takes port+1 for TLS too).
 */
export class Baresip {
  readonly events: BaresipEvent[] = [];
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  readonly #socket: Socket;
  readonly #waiters = new Set<() => void>();
  readonly #pending = new Map<string, (response: { ok: boolean; data: string }) => void>();
  #buffer = Buffer.alloc(0);
  #nextToken = 1;
  #stdout = '';

  private constructor(
    readonly dir: string,
    readonly sipPort: number,
    readonly user: string,
    child: ChildProcess,
    exited: Promise<number | null>,
    socket: Socket,
  ) {
    this.#child = child;
    this.#exited = exited;
    this.#socket = socket;
    child.stdout?.on('data', (chunk: Buffer) => (this.#stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.#stdout += chunk.toString()));
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', () => undefined);
  }

  static async start(options: BaresipOptions): Promise<Baresip> {
    const dir = mkdtempSync(join(tmpdir(), `callsight-baresip-${options.user.replace(/\W/g, '')}-`));
    const dumpDir = join(dir, 'dump');
    mkdirSync(dumpDir);
    // baresip listens on UDP and TCP at sipPort and TLS at sipPort + 1: both must be free.
    let sipPort = await freePort();
    while (!(await portFree(sipPort + 1))) sipPort = await freePort();
    const ctrlPort = await freePort();
    const source = options.wavPath ? `aufile,${options.wavPath}` : 'aubridge,silence';
    writeFileSync(
      join(dir, 'config'),
      [
        'poll_method epoll',
        // Its eth0 address would go into the SDP while RTP to 127.0.0.1 leaves from 127.0.0.1.
        'net_interface 127.0.0.1',
        `sip_listen 127.0.0.1:${sipPort}`,
        ...(options.tls ? [`sip_cafile ${options.tls.caFile}`] : []),
        ...(options.tls?.certificateFile ? [`sip_certificate ${options.tls.certificateFile}`] : []),
        'call_local_timeout 120',
        'call_max_calls 4',
        `audio_source ${source}`,
        'audio_player aubridge,player',
        'audio_alert aubridge,alert',
        'audio_level no',
        'ausrc_format s16',
        'auplay_format s16',
        'auenc_format s16',
        'audec_format s16',
        'audio_buffer 20-160',
        'rtcp_mux no',
        'jitter_buffer_delay 5-10',
        'rtp_stats no',
        `module_path ${MODULES}`,
        'module g711.so',
        ...(options.audioCodecs?.includes('g722') ? ['module g722.so'] : []),
        ...(options.audioCodecs?.includes('opus') ? ['module opus.so'] : []),
        ...(options.mediaenc ? ['module srtp.so'] : []),
        'module aufile.so',
        'module aubridge.so',
        ...(options.dumpAudio ? ['module sndfile.so', `snd_path ${dumpDir}`] : []),
        'module ctrl_tcp.so',
        'module menu.so',
        'module_tmp account.so',
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'accounts'),
      `<sip:${options.user}@127.0.0.1:${sipPort}>;regint=0;answermode=${options.answerMode};audio_codecs=${options.audioCodecs ?? 'pcmu,pcma'}${options.mediaenc ? `;mediaenc=${options.mediaenc}` : ''}\n`,
    );
    const child = spawn(BARESIP, ['-f', dir, ...(options.sipTrace ? ['-s'] : [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`baresip exited with ${child.exitCode} at start`);
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(ctrlPort, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        });
        return new Baresip(dir, sipPort, options.user, child, exited, socket);
      } catch {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error('baresip did not open its ctrl_tcp port in 10 s');
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Where it listens for SIP over TLS (with `tls.certificateFile`): baresip takes the SIP port + 1. */
  get tlsPort(): number {
    return this.sipPort + 1;
  }

  /** baresip's console output (and its SIP trace with `sipTrace`). */
  get output(): string {
    return this.#stdout;
  }

  #read(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const colon = this.#buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(this.#buffer.subarray(0, colon).toString());
      if (this.#buffer.length < colon + 1 + length + 1) return;
      const json = this.#buffer.subarray(colon + 1, colon + 1 + length).toString();
      this.#buffer = this.#buffer.subarray(colon + 1 + length + 1);
      const message = JSON.parse(json) as Record<string, unknown>;
      if (message.event === true) {
        this.events.push({ ...(message as Omit<BaresipEvent, 'receivedAt'>), receivedAt: Date.now() });
        for (const wake of this.#waiters) wake();
      } else if (message.response === true && typeof message.token === 'string') {
        this.#pending.get(message.token)?.({
          ok: message.ok === true,
          data: typeof message.data === 'string' ? message.data : '',
        });
        this.#pending.delete(message.token);
      }
    }
  }

  /** Runs a menu command (`dial`, `hangup`, `hold`, `resume`, `accept`, …) and resolves with its reply. */
  command(command: string, params = ''): Promise<{ ok: boolean; data: string }> {
    const token = String(this.#nextToken++);
    return new Promise((resolve) => {
      this.#pending.set(token, resolve);
      this.#socket.write(netstring(JSON.stringify({ command, params, token })));
    });
  }

  /** The first event (already received or still to come) of `type` that passes `filter`. */
  async waitForEvent(
    type: string,
    timeoutMs = 10_000,
    filter: (e: BaresipEvent) => boolean = () => true,
  ): Promise<BaresipEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e) => e.type === type && filter(e));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events.map((e) => `${e.type}${e.param ? `(${e.param})` : ''}`).join(', ');
        throw new Error(
          `baresip ${this.user}: no ${type} in ${timeoutMs} ms; events: ${seen}\n${this.#stdout.slice(-2000)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  /** The WAV files sndfile wrote for the call: what was sent (`enc`) and what was decoded (`dec`). */
  dumps(): { sent: string; received: string } {
    const files = readdirSync(join(this.dir, 'dump'));
    const sent = files.find((f) => f.endsWith('-enc.wav'));
    const received = files.find((f) => f.endsWith('-dec.wav'));
    if (!sent || !received)
      throw new Error(`baresip ${this.user}: no audio dumps in ${this.dir}/dump (${files.join(', ')})`);
    return { sent: join(this.dir, 'dump', sent), received: join(this.dir, 'dump', received) };
  }

  /** `quit`, then SIGKILL if it is still there after 3 s; its config directory and dumps are removed. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null) {
      await Promise.race([this.command('quit'), new Promise((resolve) => setTimeout(resolve, 500))]);
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
      await this.#exited;
      clearTimeout(timer);
    }
    this.#socket.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
