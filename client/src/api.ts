import type { StreamRecord } from './records.js';

/** Callsight's error body (docs/errors.md): one shape for every /api error. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly exception: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

/** A non-2xx answer, with Callsight's error code (`CS_ERR_…`) when the body carried one. */
export class CallsightApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: ErrorBody | null,
  ) {
    super(message);
    this.name = 'CallsightApiError';
  }
}

export interface ApiOptions {
  /** Callsight's HTTP base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** An API token, sent as `Authorization: Bearer`. Browsers on Callsight's own page use the session cookie instead. */
  readonly token?: string;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
}

/** A call in progress as GET /api/calls lists it. */
export interface ActiveCall {
  readonly callId: string;
  readonly transactionId: string;
  readonly fromNumber: string;
  readonly toNumber: string;
  readonly startedAt: string;
  readonly confirmed: boolean;
  readonly rtp: readonly Readonly<Record<string, unknown>>[];
  readonly [field: string]: unknown;
}

/** ListMediaPipelines' entry. */
export interface PipelineSummary {
  readonly MediaPipelineId: string;
  readonly MediaPipelineArn: string;
  readonly Status: string;
  readonly CallId: string;
  readonly MediaInsightsPipelineConfigurationName: string;
  readonly CreatedTimestamp: string;
}

/** What DELETE /api/calls/{callId} removed, by part. */
export interface ErasureReport {
  readonly callId: string;
  readonly erasedAt: string;
  readonly removed: Readonly<Record<string, number>>;
}

type Json = Readonly<Record<string, unknown>>;

/**
 * Callsight's REST API, typed: calls, records, pipelines (Chime's media pipeline operations),
 * configurations (Chime's MediaInsightsPipelineConfiguration operations), erasure and recordings.
 * Every method rejects with CallsightApiError on an error answer.
 */
export class CallsightApi {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(options: ApiOptions) {
    this.#base = options.url.replace(/\/$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Calls in progress. */
  async calls(): Promise<ActiveCall[]> {
    return (await this.#json<{ calls: ActiveCall[] }>('GET', '/api/calls')).calls;
  }

  call(callId: string): Promise<ActiveCall> {
    return this.#json('GET', `/api/calls/${encodeURIComponent(callId)}`);
  }

  /** The call's post-call analytics document (Transcribe Call Analytics' post-call shape). */
  postCallAnalytics(callId: string, pipelineId?: string): Promise<Json> {
    const query = pipelineId === undefined ? '' : `?pipelineId=${encodeURIComponent(pipelineId)}`;
    return this.#json('GET', `/api/calls/${encodeURIComponent(callId)}/analytics${query}`);
  }

  /**
   * Where the call's recording is served (an audio element plays it on Callsight's own page);
   * `redacted`: its copy with the PII silenced (configurations with ContentRedactionType).
   */
  recordingUrl(callId: string, pipelineId?: string, redacted = false): string {
    const query = pipelineId === undefined ? '' : `?pipelineId=${encodeURIComponent(pipelineId)}`;
    const file = redacted ? 'recording.redacted.wav' : 'recording.wav';
    return `${this.#base}/api/calls/${encodeURIComponent(callId)}/${file}${query}`;
  }

  /** The recording's bytes (WAV). */
  async recording(callId: string, pipelineId?: string, redacted = false): Promise<ArrayBuffer> {
    return (
      await this.#request('GET', this.recordingUrl(callId, pipelineId, redacted).slice(this.#base.length))
    ).arrayBuffer();
  }

  /** Erases an ended call everywhere (docs/privacy.md#erasure). */
  eraseCall(callId: string): Promise<ErasureReport> {
    return this.#json('DELETE', `/api/calls/${encodeURIComponent(callId)}`);
  }

  /** Records after `from`, oldest first, at most `limit` (1..1000). */
  records(from = '0', limit = 100): Promise<StreamRecord[]> {
    return this.#json('GET', `/api/records?from=${encodeURIComponent(from)}&limit=${limit}`);
  }

  /** The newest sequence number of the stream. */
  async lastSequenceNumber(): Promise<string> {
    return (await this.#json<{ lastSequenceNumber: string }>('GET', '/api/stream')).lastSequenceNumber;
  }

  async routes(): Promise<Json[]> {
    return (await this.#json<{ routes: Json[] }>('GET', '/api/routes')).routes;
  }

  /** CreateMediaInsightsPipeline: its `MediaInsightsPipeline` document. */
  async createPipeline(request: Json): Promise<Json> {
    return (await this.#json<{ MediaInsightsPipeline: Json }>('POST', '/api/pipelines', request))
      .MediaInsightsPipeline;
  }

  async pipelines(): Promise<PipelineSummary[]> {
    return (await this.#json<{ MediaPipelines: PipelineSummary[] }>('GET', '/api/pipelines')).MediaPipelines;
  }

  async pipeline(id: string): Promise<Json> {
    const answer = await this.#json<{ MediaPipeline: { MediaInsightsPipeline: Json } }>(
      'GET',
      `/api/pipelines/${encodeURIComponent(id)}`,
    );
    return answer.MediaPipeline.MediaInsightsPipeline;
  }

  /** UpdateMediaInsightsPipelineStatus. */
  async setPipelineStatus(id: string, status: 'Pause' | 'Resume'): Promise<void> {
    await this.#request('PUT', `/api/pipelines/${encodeURIComponent(id)}/status`, { UpdateStatus: status });
  }

  /** DeleteMediaPipeline: the pipeline stops, the call goes on. */
  async stopPipeline(id: string): Promise<void> {
    await this.#request('DELETE', `/api/pipelines/${encodeURIComponent(id)}`);
  }

  /** ListMediaInsightsPipelineConfigurations (one page). */
  configurations(options: { nextToken?: string; maxResults?: number } = {}): Promise<Json> {
    const query = new URLSearchParams();
    if (options.nextToken !== undefined) query.set('NextToken', options.nextToken);
    if (options.maxResults !== undefined) query.set('MaxResults', String(options.maxResults));
    const text = query.toString();
    return this.#json('GET', `/api/configurations${text ? `?${text}` : ''}`);
  }

  async configuration(identifier: string): Promise<Json> {
    return (
      await this.#json<{ MediaInsightsPipelineConfiguration: Json }>(
        'GET',
        `/api/configurations/${encodeURIComponent(identifier)}`,
      )
    ).MediaInsightsPipelineConfiguration;
  }

  async createConfiguration(request: Json): Promise<Json> {
    return (
      await this.#json<{ MediaInsightsPipelineConfiguration: Json }>('POST', '/api/configurations', request)
    ).MediaInsightsPipelineConfiguration;
  }

  async updateConfiguration(identifier: string, request: Json): Promise<Json> {
    return (
      await this.#json<{ MediaInsightsPipelineConfiguration: Json }>(
        'PUT',
        `/api/configurations/${encodeURIComponent(identifier)}`,
        request,
      )
    ).MediaInsightsPipelineConfiguration;
  }

  async deleteConfiguration(identifier: string): Promise<void> {
    await this.#request('DELETE', `/api/configurations/${encodeURIComponent(identifier)}`);
  }

  async #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.#request(method, path, body)).json()) as T;
  }

  async #request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.#fetch(`${this.#base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (response.ok) return response;
    const error = (await response.json().catch(() => null)) as ErrorBody | null;
    throw new CallsightApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `${method} ${path}: HTTP ${response.status}`,
      error,
    );
  }
}
