import type { VoiceConnector } from '../../connector/VoiceConnector.js';
import type {
  ActiveCallView,
  CallsView,
  PipelineService,
  PipelineSummary,
} from '../../gateway/api/ApiSourceTypes.js';
import type { PipelineManager } from '../../pipeline/PipelineManager.js';
import type { VoiceToneTaskState } from '../../pipeline/PipelineTypes.js';
import { CallsightError } from '../../platform/errors.js';

/** The REST API's pipelines in one process: the PipelineManager, with calls from the Voice Connector. */
export class LocalPipelineService implements PipelineService {
  readonly #pipelines: PipelineManager;
  readonly #connector: VoiceConnector;

  constructor(pipelines: PipelineManager, connector: VoiceConnector) {
    this.#pipelines = pipelines;
    this.#connector = connector;
  }

  async findStream(streamArn: string) {
    return this.#connector.findStream(streamArn);
  }

  async create(...[call, configuration, options]: Parameters<PipelineService['create']>): Promise<object> {
    return (await this.#pipelines.start(call, configuration, options)).toJSON();
  }

  async list(): Promise<PipelineSummary[]> {
    return this.#pipelines.list().map((p) => ({
      MediaPipelineId: p.id,
      MediaPipelineArn: p.arn,
      Status: p.status,
      CallId: p.call.callId,
      MediaInsightsPipelineConfigurationName: p.configurationName,
      CreatedTimestamp: p.createdAt.toISOString(),
    }));
  }

  async get(identifier: string): Promise<object> {
    return this.#pipelines.get(identifier).toJSON();
  }

  async setStatus(identifier: string, status: 'Pause' | 'Resume'): Promise<void> {
    const pipeline = this.#pipelines.get(identifier);
    await (status === 'Pause' ? pipeline.pause() : pipeline.resume());
  }

  async stop(identifier: string): Promise<void> {
    await this.#pipelines.stop(identifier);
  }

  async voiceTone(identifier: string, action: 'get' | 'stop'): Promise<VoiceToneTaskState> {
    const task = this.#pipelines.get(identifier).voiceToneTask;
    if (!task)
      throw new CallsightError('CS_ERR_NOT_FOUND', `pipeline ${identifier} has no voice tone analysis`);
    if (action === 'stop') await task.stop();
    return task.state();
  }
}

/** GET /api/calls in one process: the Voice Connector's calls. */
export class LocalCallsView implements CallsView {
  readonly #connector: VoiceConnector;

  constructor(connector: VoiceConnector) {
    this.#connector = connector;
  }

  async active(): Promise<ActiveCallView[]> {
    return this.#connector.activeCalls();
  }
}
