import { replayWindowMs } from '../cluster/AudioReplay.js';
import { CallAudioPublisher } from '../cluster/CallAudio.js';
import type { ClusterSubjects } from '../cluster/ClusterSubjects.js';
import { answerCallListRequests, answerRouteRequests } from '../cluster/RemoteApi.js';
import type { VoiceConnector } from '../connector/VoiceConnector.js';
import type { EventBus } from '../events/EventBus.js';
import type { AnyMetric } from '../platform/metrics.js';
import type { NatsConnection } from '../platform/nats/NatsConnection.js';
import type { CallDirectory } from '../calls/CallDirectoryTypes.js';
import type { PostgresSipHeartbeats } from '../calls/PostgresSipHeartbeats.js';
import type { AppContext } from './AppTypes.js';
import { keepSipHeartbeat, type SipHeartbeat } from './lostSip.js';
import { closeCallsLeftOpen, recordCalls } from './openCalls.js';
import { SipRole } from './roles/SipRole.js';

export interface ClusterSip {
  readonly connector: VoiceConnector;
  readonly audio: CallAudioPublisher;
  readonly udpPort: number;
  readonly tcpPort: number;
  /** Its calls', audio's and SIP transports' numbers for /metrics. */
  metrics(): AnyMetric[];
  /** Hangs up every call and waits until each one's end is in the directory and on NATS. */
  close(): Promise<void>;
}

/**
 * The `sip` role scaled out: the Voice Connector's events go to the bus given (which forwards them to
 * NATS), each call's frames to `<ns>.audio.<callId>`, each call to the call directory (at its start,
 * again when a stream is added or its SIPREC metadata changes, and its end), and the end of its media
 * to `<ns>.calls.<callId>.ended` once the directory has it (openCalls.ts). Calls a previous run of
 * this process left open (it was killed) are closed at start (FAILED), so their pipelines stop. Its
 * heartbeat in PostgreSQL lets the workers close its calls if it dies and does not come back (lostSip.ts).
 */
export async function startClusterSip(input: {
  readonly ctx: AppContext;
  readonly nats: NatsConnection;
  readonly subjects: ClusterSubjects;
  readonly directory: CallDirectory;
  readonly heartbeats: PostgresSipHeartbeats;
  readonly bus: EventBus;
}): Promise<ClusterSip> {
  const { ctx, nats, subjects, directory, bus } = input;
  const { config, logger, origin, advertisedAddress } = ctx;
  const log = logger.child({ stage: 'sip' });
  const role = SipRole.create({ config, advertisedAddress, origin, bus, logger });
  const { connector } = role;
  const audio = new CallAudioPublisher(nats, subjects, replayWindowMs(config.worker.jobAckWaitMs));
  // A stable name (address and configured port) lets a restarted process find the calls it held.
  const stable = config.sip.udpPort !== 0;
  let owner = `sip@${advertisedAddress}:${config.sip.udpPort}`;
  if (stable)
    await closeCallsLeftOpen({
      directory,
      owner,
      bus,
      origin,
      log,
      pipelines: false,
      closed: (callId) => audio.ended(callId),
    });
  // The event itself carries the call to the workers; the directory is for the gateways and for jobs.
  const recorder = recordCalls({
    connector,
    bus,
    directory,
    owner: () => owner,
    log,
    ended: (callId) => audio.ended(callId),
  });
  connector.on('frame', (call, frame) => audio.frame(call, frame));
  connector.on('streamAdded', (call, stream) => audio.streamAdded(call, stream));
  const beat = () =>
    keepSipHeartbeat({
      heartbeats: input.heartbeats,
      owner: () => owner,
      intervalMs: Math.floor(config.worker.sipLostAfterMs / 3),
      log,
    });
  // Beating before the first call can arrive (a wildcard port's name is known only once it listens).
  let heartbeat: SipHeartbeat | null = stable ? await beat() : null;
  await role.listen();
  if (!stable) {
    owner = `sip@${advertisedAddress}:${role.udpPort}`;
    heartbeat = await beat();
  }
  const answering = answerCallListRequests(nats, subjects, owner, connector);
  const answeringRoutes = answerRouteRequests(nats, subjects, owner, connector);
  const replaying = audio.serveReplays(log);
  return {
    connector,
    audio,
    get udpPort() {
      return role.udpPort;
    },
    get tcpPort() {
      return role.tcpPort;
    },
    metrics: () => [...connector.metrics(), ...audio.metrics(), ...role.metrics],
    async close() {
      await role.close();
      await recorder.close();
      await heartbeat?.close();
      answering.close();
      answeringRoutes.close();
      replaying.close();
      await nats.flush().catch(() => undefined);
    },
  };
}
