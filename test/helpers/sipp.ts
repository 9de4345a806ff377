import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav } from '../../src/media/wav/WavFile.js';
import { freePort } from './ports.js';

export const SIPP = '/usr/bin/sipp';
export const sippAvailable = existsSync(SIPP);

export interface SippCallOptions {
  readonly sipPort: number;
  /** 8 kHz 16-bit WAV to stream as PCMU. */
  readonly wavPath: string;
  /** Silence after the audio before BYE. */
  readonly tailMs?: number;
  readonly fromNumber?: string;
  readonly toNumber?: string;
}

export interface SippResult {
  readonly exitCode: number | null;
  readonly output: string;
  /** Wall-clock time sipp sent its BYE (approximately: when the scenario's pause ended). */
  readonly byeSentAfter: number;
}

/** sipp streams a WAV file only if it already holds G.711: convert it with sox. */
function toUlawWav(wavPath: string, dir: string): { path: string; durationMs: number } {
  const out = join(dir, 'audio-ulaw.wav');
  execFileSync('sox', [wavPath, '-r', '8000', '-c', '1', '-e', 'u-law', '-b', '8', out]);
  const { samples, sampleRate } = readWav(wavPath);
  return { path: out, durationMs: Math.ceil((samples.length / sampleRate) * 1000) };
}

/** A UAC scenario: INVITE with a PCMU offer, ACK, stream the file over RTP, BYE. */
function scenario(audioPath: string, pauseMs: number, from: string, to: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="Callsight test call with speech">
  <send retrans="500">
    <![CDATA[
      INVITE sip:${to}@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Test Caller" <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:${to}@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Subject: Callsight test
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=ptime:20
      a=sendrecv

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send>
    <![CDATA[
      ACK sip:${to}@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Test Caller" <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <nop><action><exec rtp_stream="${audioPath},1,0"/></action></nop>
  <pause milliseconds="${pauseMs}"/>
  <send retrans="500">
    <![CDATA[
      BYE sip:${to}@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Test Caller" <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
`;
}

/** Places one call with sipp (a real SIP peer nobody here wrote) that plays a WAV file over RTP. */
export async function sippCall(options: SippCallOptions): Promise<SippResult> {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-sipp-'));
  const audio = toUlawWav(options.wavPath, dir);
  const pauseMs = audio.durationMs + (options.tailMs ?? 1500);
  const scenarioPath = join(dir, 'uac-speech.xml');
  writeFileSync(
    scenarioPath,
    scenario(audio.path, pauseMs, options.fromNumber ?? '+15555550100', options.toNumber ?? '+15555550199'),
  );
  const localPort = await freePort();
  const mediaPort = (await freePort()) & ~1;
  const args = [
    `127.0.0.1:${options.sipPort}`,
    '-sf',
    scenarioPath,
    '-i',
    '127.0.0.1',
    '-p',
    String(localPort),
    '-mi',
    '127.0.0.1',
    '-mp',
    String(mediaPort),
    '-m',
    '1',
    '-l',
    '1',
    '-timeout',
    `${Math.ceil(pauseMs / 1000) + 30}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_err',
    '-error_file',
    join(dir, 'errors.log'),
  ];
  const started = Date.now();
  const child = spawn(SIPP, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { exitCode, output: output.slice(-4000), byeSentAfter: started + pauseMs };
}

export interface ScenarioRun {
  /** sipp's working directory: `files` are copied there, and its logs are written there. */
  readonly dir: string;
  /** Resolves when sipp exits, with its screen, error log and message log (the end of each). */
  readonly exited: Promise<Omit<SippResult, 'byeSentAfter'>>;
  /** The scenario's `<log>` lines written so far (`-trace_logs`). */
  logLines(): string[];
  /** The first `<log>` line matching `pattern`, waiting up to timeoutMs. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/**
 * Runs one call of a committed scenario (test/scenarios/) against 127.0.0.1:sipPort over UDP, in a
 * fresh working directory holding `files` (name → content), with the scenario's `<log>` actions
 * written to a file the test can read while the call goes on. `args` are added to sipp's (e.g.
 * `-s NUMBER` for the scenario's [service]).
 */
export async function runScenario(
  scenarioPath: string,
  sipPort: number,
  options: { files?: Record<string, Buffer>; timeoutSec?: number; args?: readonly string[] } = {},
): Promise<ScenarioRun> {
  const placement = [`127.0.0.1:${sipPort}`, '-p', String(await freePort()), '-m', '1'];
  return spawnScenario(scenarioPath, placement, options);
}

export interface ScenarioServer extends ScenarioRun {
  /** The UDP port it takes calls on. */
  readonly port: number;
  /** Ends it (SIGTERM) unless it has ended, and waits for its exit. */
  stop(): Promise<void>;
}

/**
 * Runs a committed UAS scenario listening on 127.0.0.1 (a route's target), for `calls` calls.
 * `injection` lines become its -inf file (`[field0]`…, one line per call, read in sequence).
 * `autoAnswer` (-aa) has it answer OPTIONS, INFO, NOTIFY and UPDATE outside the scenario with 200.
 */
export async function startScenarioServer(
  scenarioPath: string,
  options: {
    calls?: number;
    injection?: readonly string[];
    autoAnswer?: boolean;
    timeoutSec?: number;
    /** Default: a free one. */
    port?: number;
  } = {},
): Promise<ScenarioServer> {
  const port = options.port ?? (await freePort());
  const files: Record<string, Buffer> = {};
  const args = ['-p', String(port), '-m', String(options.calls ?? 1)];
  if (options.injection) {
    files['injection.csv'] = Buffer.from(`SEQUENTIAL\n${options.injection.map((l) => `${l};`).join('\n')}\n`);
    args.push('-inf', 'injection.csv');
  }
  if (options.autoAnswer) args.push('-aa');
  const run = await spawnScenario(scenarioPath, args, { files, timeoutSec: options.timeoutSec ?? 60 });
  return {
    ...run,
    port,
    async stop() {
      run.kill();
      await run.exited;
    },
  };
}

async function spawnScenario(
  scenarioPath: string,
  placement: readonly string[],
  options: { files?: Record<string, Buffer>; timeoutSec?: number; args?: readonly string[] },
): Promise<ScenarioRun & { kill(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-sipp-'));
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), content);
  const logFile = join(dir, 'scenario.log');
  const errorFile = join(dir, 'errors.log');
  const args = [
    ...placement,
    '-sf',
    scenarioPath,
    '-i',
    '127.0.0.1',
    '-mi',
    '127.0.0.1',
    '-mp',
    String((await freePort()) & ~1),
    '-l',
    '1',
    '-timeout',
    `${options.timeoutSec ?? 30}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_err',
    '-error_file',
    errorFile,
    '-trace_logs',
    '-log_file',
    logFile,
    ...(options.args ?? []),
  ];
  const child = spawn(SIPP, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  const exited = new Promise<Omit<SippResult, 'byeSentAfter'>>((resolve) =>
    child.once('exit', (exitCode) =>
      resolve({
        exitCode,
        output: `${output.slice(-3000)}\n--- sipp error log ---\n${read(errorFile).slice(-3000)}`,
      }),
    ),
  );
  const logLines = () => read(logFile).split('\n').filter(Boolean);
  return {
    dir,
    exited,
    logLines,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
    async waitForLog(pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const line of logLines()) {
          const match = pattern.exec(line);
          if (match) return match;
        }
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(
            `no sipp log line matching ${pattern}:\n${logLines().join('\n')}\n${(await exited).output}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
