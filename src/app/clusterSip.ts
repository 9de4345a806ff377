import { replayWindowMs } from '../cluster/AudioReplay.js';
import { CallAudioPublisher } from '../cluster/CallAudio.js';
import { callInfoFromJson } from '../cluster/ClusterEvents.js';
import type { ClusterSubjects } from '../cluster/ClusterSubjects.js';
import { answerCallListRequests, answerRouteRequests } from '../cluster/RemoteApi.js';
import { streamEnded } from '../connector/StreamingStatus.js';
import { DetailType } from '../events/DetailTypes.js';
import type { VoiceConnector } from '../connector/VoiceConnector.js';
import type { EventBus } from '../events/EventBus.js';
import type { AnyMetric } from '../platform/metrics.js';
import type { NatsConnection } from '../platform/nats/NatsConnection.js';
import type { CallDirectory } from '../calls/CallDirectoryTypes.js';
import type { AppContext } from './AppTypes.js';
import { eventCallId } from './eventRules.js';
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
 * to `<ns>.calls.<callId>.ended` once the directory has it. Calls a previous run of this process left
 * open (it was killed) are closed in the directory at start, so their pipelines stop.
 */
export async function startClusterSip(input: {
  readonly ctx: AppContext;
  readonly nats: NatsConnection;
  readonly subjects: ClusterSubjects;
  readonly directory: CallDirectory;
  readonly bus: EventBus;
}): Promise<ClusterSip> {
  const { ctx, nats, subjects, directory, bus } = input;
  const { config, logger, origin, advertisedAddress } = ctx;
  const log = logger.child({ stage: 'sip' });
  const role = SipRole.create({ config, advertisedAddress, origin, bus, logger });
  const { connector } = role;
  const audio = new CallAudioPublisher(nats, subjects, replayWindowMs(config.worker.jobAckWaitMs));
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  // A stable name (address and configured port) lets a restarted process find the calls it held.
  const stable = config.sip.udpPort !== 0;
  let owner = `sip@${advertisedAddress}:${config.sip.udpPort}`;
  if (stable) await closeCallsLeftOpen({ directory, owner, audio, bus, origin, log });

  const record = (callId: string) => {
    const call = connector.getCall(callId);
    if (call)
      track(
        directory
          .callStarted(call, owner)
          .catch((err: unknown) => log.error({ err, callId }, 'call directory: call not recorded')),
      );
  };
  // The event itself carries the call to the workers; the directory is for the gateways and for jobs.
  bus.addRule(
    'calls to the directory',
    (event) => event['detail-type'] === DetailType.StreamingStatus,
    (event) => {
      const status = (event.detail as { streamingStatus?: string }).streamingStatus;
      const callId = eventCallId(event);
      if (callId !== null && (status === 'STARTED' || status === 'UPDATED')) record(callId);
    },
  );
  connector.on('frame', (call, frame) => audio.frame(call, frame));
  connector.on('streamAdded', (call, stream) => {
    audio.streamAdded(call, stream);
    record(call.callId);
  });
  connector.on('mediaEnded', (call) => {
    track(
      directory
        .callEnded(call.callId)
        .catch((err: unknown) =>
          log.error({ err, callId: call.callId }, 'call directory: call end not recorded'),
        )
        .finally(() => audio.ended(call.callId)),
    );
  });
  await role.listen();
  if (!stable) owner = `sip@${advertisedAddress}:${role.udpPort}`;
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
      while (pending.size > 0) await Promise.allSettled([...pending]);
      answering.close();
      answeringRoutes.close();
      replaying.close();
      await nats.flush().catch(() => undefined);
    },
  };
}

/**
 * The calls this sip process held when it was killed: their media is gone, so they are over. Each gets
 * its ENDED events (their start times are the call's), and the workers running its pipelines stop them.
 */
async function closeCallsLeftOpen(input: {
  readonly directory: CallDirectory;
  readonly owner: string;
  readonly audio: CallAudioPublisher;
  readonly bus: EventBus;
  readonly origin: AppContext['origin'];
  readonly log: AppContext['logger'];
}): Promise<void> {
  const { directory, owner, audio, bus, origin, log } = input;
  const left = (await directory.listCalls({ which: 'active', limit: 1000 })).filter((c) => c.owner === owner);
  for (const entry of left) {
    const call = callInfoFromJson(entry.info);
    await directory.callEnded(call.callId);
    const at = new Date();
    for (const stream of call.streams) bus.publish(streamEnded(call, stream, call.startedAt, origin, at));
    audio.ended(call.callId);
  }
  if (left.length > 0)
    log.warn({ calls: left.length }, 'calls left open by a previous run of this process: ended');
}
