import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readWav } from '../../src/media/wav/WavFile.js';
import { wordErrorRate } from '../../src/transcribe/wer.js';
import { sendRtp } from '../../scripts/lib/RtpSender.js';
import { startCallsight, type RunningCallsight } from '../helpers/callsight.js';
import { runScenario, sippAvailable } from '../helpers/sipp.js';
import {
  RecordCollector,
  callIdOf,
  detailOf,
  finalTranscripts,
  transcriptText,
  type StreamFrame,
} from '../helpers/wsRecords.js';

/*
 * Callsight as a SIPREC Session Recording Server, fed by a recording client nobody here wrote: SIPp
 * 3.6.1 runs test/scenarios/siprec-two-streams.xml (the SIPREC INVITE, its re-INVITEs and BYE) and
 * plays the agent's speech to the first m-line. SIPp's rtp_stream knows a single audio destination
 * (the first m=audio of the answer; there is no option for a second), so the customer's speech on
 * the second m-line is sent by the test itself (scripts/lib/RtpSender.ts), to the port the scenario
 * logged from Callsight's answer.
 */

const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));
const AUDIO = fileURLToPath(new URL('../fixtures/audio/', import.meta.url));
const text = (name: string) => readFileSync(`${AUDIO}${name}.txt`, 'utf8').trim();
/**
 * Measured: ch_1 (agent, SIPp's RTP) 28.6–46.9 % over 14 runs, no packet lost (the same audio through
 * baresip scores 30.6 % every time: SIPp's packet timing moves the recogniser's utterance boundaries);
 * ch_0 (customer, RtpSender) 30.6 %. A broken channel (silence, the wrong stream) scores 80 %+.
 */
const MAX_WER = 0.6;
/** The customer pauses between 10.4 and 11.7 s of demo-customer.wav: the hold comes in that pause. */
const CUSTOMER_HOLD_AT_SAMPLE = 10.8 * 8000;
/** When the scenario's re-INVITEs go out, in seconds after its ACK. */
const HOLD_AT_S = 11.5;
const RESUME_AT_S = 13.5;

const status = (f: StreamFrame) => detailOf(f).streamingStatus as string | undefined;

/** PCMU WAV for SIPp's rtp_stream, which plays the file's samples as they are. */
function ulawWav(name: string): Buffer {
  return execFileSync('sox', [
    `${AUDIO}${name}.wav`,
    '-r',
    '8000',
    '-c',
    '1',
    '-e',
    'u-law',
    '-b',
    '8',
    '-t',
    'wav',
    '-',
  ]);
}

describe(
  'SIPREC: a recording client (sipp) forks a call with two streams',
  { skip: !sippAvailable && 'sipp is not installed', concurrency: true },
  () => {
    let callsight: RunningCallsight;
    let live: RecordCollector;
    const scratch: string[] = [];

    before(async () => {
      callsight = await startCallsight({
        env: { CALLSIGHT_SIPREC_AGENT_AOR_PATTERN: '@agents\\.example\\.com$' },
      });
      live = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
      await live.opened;
    });

    after(async () => {
      live?.close();
      const code = await callsight?.stop();
      for (const dir of [...scratch, callsight?.dataDir ?? ''])
        if (dir) rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, callsight?.stderr());
    });

    test('both streams are transcribed with roles from the metadata; hold and resume (partial metadata) keep the agent continuous', async () => {
      const customer = readWav(`${AUDIO}demo-customer.wav`).samples;
      const sipp = await runScenario(`${SCENARIOS}siprec-two-streams.xml`, callsight.sipPort, {
        files: { 'agent-ulaw.wav': ulawWav('demo-agent') },
        timeoutSec: 60,
      });
      scratch.push(sipp.dir);
      const [, agentPort, customerPort] = (await sipp.waitForLog(/^answer (\d+) (\d+)$/)).map(Number);
      const started = await live.waitFor(
        (f) => status(f) === 'STARTED' && detailOf(f).siprecMetadata !== undefined,
        10_000,
        'STARTED',
      );
      const callId = callIdOf(started)!;
      const updated = () => live.frames.filter((f) => status(f) === 'UPDATED' && callIdOf(f) === callId);

      // The customer's side (ours): up to a pause, silent while held, the rest after the resume.
      const remote = { address: '127.0.0.1', port: customerPort! };
      await sendRtp({
        remote,
        encoding: 'PCMU',
        payloadType: 0,
        samples: customer.subarray(0, CUSTOMER_HOLD_AT_SAMPLE),
      });
      await live.waitFor(() => updated().length >= 2, 10_000, 'UPDATED for the hold and the resume');
      await sendRtp({
        remote,
        encoding: 'PCMU',
        payloadType: 0,
        samples: customer.subarray(CUSTOMER_HOLD_AT_SAMPLE),
      });
      const result = await sipp.exited;
      assert.equal(result.exitCode, 0, `sipp failed:\n${result.output}\n${sipp.logLines().join('\n')}`);
      await live.waitFor(
        (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped' && callIdOf(f) === callId,
        30_000,
        'the pipeline to stop',
      );
      const frames = live.frames.filter((f) => callIdOf(f) === callId);

      // The re-INVITEs kept both streams where they were: same ports, no new STARTED.
      for (const phase of ['hold', 'resume']) {
        const [, p1, p2] = (await sipp.waitForLog(new RegExp(`^${phase} (\\d+) (\\d+)$`))).map(Number);
        assert.deepEqual([p1, p2], [agentPort, customerPort], `${phase}: the answer kept the ports`);
      }
      const startedEvents = frames.filter((f) => status(f) === 'STARTED');
      assert.equal(startedEvents.length, 2);

      // Each STARTED carries the raw metadata and its stream's a=label; the agent's stream is ch_1.
      const byLabel = new Map(
        startedEvents.map((f) => [(detailOf(f).sdp as { mediaLabel: string }).mediaLabel, detailOf(f)]),
      );
      assert.deepEqual([...byLabel.keys()].sort(), ['1', '2']);
      for (const detail of byLabel.values())
        assert.match(detail.siprecMetadata as string, /<datamode>complete<\/datamode>/);
      const all = frames.find((f) => status(f) === 'ALL_STARTED')!;
      const allDetail = detailOf(all);
      assert.match(allDetail.siprecMetadata as string, /participant_id="srfBElmCRp2QB23b7Mpk0w=="/);
      assert.equal(allDetail.direction, 'Inbound');
      assert.equal(
        allDetail.fromNumber,
        '+15555550100',
        'the customer (the AOR pattern names the agent) is the caller',
      );
      assert.equal(allDetail.toNumber, 'alice');
      assert.equal((allDetail.inviteHeaders as Record<string, string>)['x-test-case'], 'siprec-two-streams');
      const streams = allDetail.streams as {
        isCaller: boolean;
        channelId: number;
        sdp: { mediaIndex: number; mediaLabel: string };
      }[];
      assert.deepEqual(
        streams.map((s) => [s.isCaller, s.channelId, s.sdp.mediaIndex, s.sdp.mediaLabel]),
        [
          [true, 0, 1, '2'], // the customer: CUSTOMER → ch_0, the caller, listed first
          [false, 1, 0, '1'], // the agent (AOR matches the pattern): AGENT → ch_1
        ],
      );

      // CallAnalyticsMetadata: oneTimeMetadata holds the raw XML and its JSON rendering.
      const metadataRecord = frames.find((f) => f['detail-type'] === 'CallAnalyticsMetadata')!;
      const oneTime = JSON.parse(
        (JSON.parse(metadataRecord.metadata as string) as { oneTimeMetadata: string }).oneTimeMetadata,
      ) as {
        siprecMetadata: string;
        siprecMetadataJson: string;
        inviteHeaders: string;
      };
      assert.match(oneTime.siprecMetadata, /<recording xmlns="urn:ietf:params:xml:ns:recording:1">/);
      assert.match(oneTime.siprecMetadataJson, /agents\.example\.com/);
      JSON.parse(oneTime.siprecMetadataJson);

      // UPDATED per re-INVITE, with its partial snapshot and headers.
      const [hold, resume] = updated().map(detailOf);
      assert.match(hold!.siprecMetadata as string, /<datamode>partial<\/datamode>/);
      assert.doesNotMatch(
        hold!.siprecMetadata as string,
        /<send>i1Pz3to5hGk8fuXl\+PbwCw==<\/send>/,
        'the held customer sends nothing',
      );
      assert.match(resume!.siprecMetadata as string, /<send>i1Pz3to5hGk8fuXl\+PbwCw==<\/send>/);
      assert.equal((hold!.updateHeaders as Record<string, string>)['cseq'], '2 INVITE');

      // The agent's stream went on through both re-INVITEs: results before the hold and after the resume.
      const agentFinals = finalTranscripts(frames, callId, 'ch_1');
      assert.ok(
        agentFinals.some((t) => t.EndTime < HOLD_AT_S),
        'agent results before the hold',
      );
      assert.ok(
        agentFinals.some((t) => t.StartTime > RESUME_AT_S),
        'agent results after the resume',
      );
      const agentText = transcriptText(frames, callId, 'ch_1');
      const customerText = transcriptText(frames, callId, 'ch_0');
      const agentWer = wordErrorRate(text('demo-agent'), agentText).wer;
      const customerWer = wordErrorRate(text('demo-customer'), customerText).wer;
      process.stderr.write(
        `SIPREC WER ch_1 (agent, sipp) ${(agentWer * 100).toFixed(1)} %: "${agentText}"\n` +
          `SIPREC WER ch_0 (customer, RtpSender) ${(customerWer * 100).toFixed(1)} %: "${customerText}"\n`,
      );
      assert.ok(agentWer <= MAX_WER, `ch_1 WER ${agentWer}`);
      assert.ok(customerWer <= MAX_WER, `ch_0 WER ${customerWer}`);

      // The client's BYE ended both streams.
      const ended = frames.filter((f) => status(f) === 'ENDED');
      assert.deepEqual(ended.map((f) => (detailOf(f).sdp as { mediaLabel: string }).mediaLabel).sort(), [
        '1',
        '2',
      ]);
    });

    test('a SIPREC INVITE without metadata is refused 400 "SIPREC metadata missing", and logged', async () => {
      const sipp = await runScenario(`${SCENARIOS}siprec-no-metadata.xml`, callsight.sipPort);
      scratch.push(sipp.dir);
      const result = await sipp.exited;
      assert.equal(result.exitCode, 0, `sipp failed:\n${result.output}\n${sipp.logLines().join('\n')}`);
      const deadline = Date.now() + 5000;
      const refused = () =>
        callsight
          .stdout()
          .split('\n')
          .find((line) => line.includes('INVITE body refused'));
      while (!refused() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const line = JSON.parse(refused() ?? '{}') as { status?: number; reason?: string };
      assert.equal(line.status, 400);
      assert.equal(line.reason, 'SIPREC metadata missing');
    });
  },
);
