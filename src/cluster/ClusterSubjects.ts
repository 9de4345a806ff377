import { callToken, encodeToken } from '../stream/SubjectTokens.js';

/**
 * The NATS names role processes coordinate on, all under one namespace (`nats.namespace`, default
 * `callsight`), so that two installations can share a NATS server:
 *
 * | Name | Kind | What |
 * |---|---|---|
 * | `<ns>.events.<type>.<call>` | JetStream `<NS>_EVENTS` | every event of the bus (Voice Connector, pipelines), for the rules |
 * | `<ns>.jobs.<pipelineId>` | JetStream `<NS>_JOBS` (work queue) | pipeline jobs: which worker runs which pipeline |
 * | `<ns>.audio.<call>` | core NATS | a call's decoded audio, sip → the worker running its pipelines |
 * | `<ns>.audio.<call>.replay` | core NATS request/reply | a call's recent audio again, for a worker taking it over |
 * | `<ns>.calls.<call>.ended` | core NATS | the call's media ended (also in the call directory) |
 * | `<ns>.pipelines.<id>.control` | core NATS request/reply | pause, resume, stop; takeover notices |
 * | `<ns>.sip.<owner>.calls` | core NATS request/reply | a sip process's calls in progress with their RTP counters |
 * | `<ns>.sip.routes` | core NATS request/many replies | every sip process's routes, with its view of their targets |
 *
 * Tokens are escaped like the data stream's (SubjectTokens.ts).
 */
export class ClusterSubjects {
  readonly namespace: string;

  constructor(namespace: string) {
    this.namespace = namespace;
  }

  /** `CALLSIGHT_EVENTS` for the default namespace. */
  get eventsStream(): string {
    return `${this.#streamPrefix()}_EVENTS`;
  }

  get jobsStream(): string {
    return `${this.#streamPrefix()}_JOBS`;
  }

  get eventsPrefix(): string {
    return `${this.namespace}.events`;
  }

  get jobsPrefix(): string {
    return `${this.namespace}.jobs`;
  }

  event(type: string, callId: string | null): string {
    return `${this.eventsPrefix}.${encodeToken(type)}.${callToken(callId)}`;
  }

  /** Every event of one call (a subject filter: erasure purges it). */
  eventsOfCall(callId: string): string {
    return `${this.eventsPrefix}.*.${callToken(callId)}`;
  }

  job(pipelineId: string): string {
    return `${this.jobsPrefix}.${encodeToken(pipelineId)}`;
  }

  audio(callId: string): string {
    return `${this.namespace}.audio.${callToken(callId)}`;
  }

  audioReplay(callId: string): string {
    return `${this.audio(callId)}.replay`;
  }

  /** Every call's replay requests (the sip processes answer those of their own calls). */
  get anyAudioReplay(): string {
    return `${this.namespace}.audio.*.replay`;
  }

  callEnded(callId: string): string {
    return `${this.namespace}.calls.${callToken(callId)}.ended`;
  }

  pipelineControl(pipelineId: string): string {
    return `${this.namespace}.pipelines.${encodeToken(pipelineId)}.control`;
  }

  sipCalls(owner: string): string {
    return `${this.namespace}.sip.${encodeToken(owner)}.calls`;
  }

  /** Asked of every sip process at once (each pings the targets itself, so each has its own view). */
  get sipRoutes(): string {
    return `${this.namespace}.sip.routes`;
  }

  /** Whether the data stream's subjects (`<prefix>.>`) and these would meet (JetStream refuses overlapping streams). */
  overlaps(dataStreamPrefix: string): boolean {
    const prefix = `${dataStreamPrefix}.`;
    if (`${this.namespace}.`.startsWith(prefix)) return true;
    return ['events', 'jobs', 'audio', 'calls', 'pipelines', 'sip'].some((kind) =>
      prefix.startsWith(`${this.namespace}.${kind}.`),
    );
  }

  #streamPrefix(): string {
    return this.namespace.toUpperCase().replace(/-/g, '_');
  }
}
