import { rmSync } from 'node:fs';
import { startCallsight, type RunningCallsight } from '../../test/helpers/callsight.js';

export interface BenchServerOptions {
  readonly asrEnabled: boolean;
  /** RTP range, wide enough for the largest ingest step (one even/odd pair per stream). */
  readonly rtpPortMin: number;
  readonly rtpPortMax: number;
  readonly env?: Record<string, string>;
}

/**
 * The built Callsight (dist/) as a child process on free ports, configured for a benchmark: one ASR
 * worker per core (the default), the given RTP range, warnings-only logs, a throwaway data folder.
 */
export async function startBenchServer(
  options: BenchServerOptions,
): Promise<RunningCallsight & { close(): Promise<void> }> {
  const server = await startCallsight({
    env: {
      CALLSIGHT_ASR_ENABLED: String(options.asrEnabled),
      CALLSIGHT_ASR_WORKERS: '0',
      CALLSIGHT_RTP_PORT_MIN: String(options.rtpPortMin),
      CALLSIGHT_RTP_PORT_MAX: String(options.rtpPortMax),
      CALLSIGHT_SIP_ADVERTISED_ADDRESS: '127.0.0.1',
      LOG_LEVEL: process.env.CALLSIGHT_BENCH_LOG_LEVEL ?? 'warn',
      ...options.env,
    },
  });
  return Object.assign(server, {
    async close() {
      await server.stop();
      rmSync(server.dataDir, { recursive: true, force: true });
    },
  });
}
