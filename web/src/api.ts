/** Callsight's REST API (docs/event-rules.md, docs/configuration-analytics.md), same origin. */

export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** An /api error: `{code, exception, message, errors?}`. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: readonly Problem[],
  ) {
    super(message);
  }
}

export async function request<T>(
  method: string,
  path: string,
  body?: string,
  contentType?: string,
): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body !== undefined ? { 'content-type': contentType ?? 'application/json' } : {},
    ...(body !== undefined ? { body } : {}),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below
  }
  if (!response.ok) {
    const error = (json ?? {}) as { code?: string; message?: string; errors?: Problem[] };
    throw new ApiError(
      response.status,
      error.code ?? `HTTP ${response.status}`,
      error.message ?? (text || response.statusText),
      Array.isArray(error.errors) ? error.errors : [],
    );
  }
  return json as T;
}

export interface ConfigurationSummary {
  readonly MediaInsightsPipelineConfigurationName: string;
  readonly MediaInsightsPipelineConfigurationId: string;
  readonly MediaInsightsPipelineConfigurationArn: string;
}

export interface Configuration extends ConfigurationSummary {
  readonly ResourceAccessRoleArn?: string;
  readonly RealTimeAlertConfiguration?: unknown;
  readonly Elements: readonly unknown[];
  readonly CreatedTimestamp: string;
  readonly UpdatedTimestamp: string;
}

export interface SavedConfiguration {
  readonly MediaInsightsPipelineConfiguration: Configuration;
  readonly Warnings?: readonly Problem[];
}

export async function listConfigurations(): Promise<ConfigurationSummary[]> {
  const all: ConfigurationSummary[] = [];
  let token: string | undefined;
  do {
    const query = token ? `?NextToken=${encodeURIComponent(token)}` : '';
    const page = await request<{
      MediaInsightsPipelineConfigurations: ConfigurationSummary[];
      NextToken?: string;
    }>('GET', `/api/configurations${query}`);
    all.push(...page.MediaInsightsPipelineConfigurations);
    token = page.NextToken;
  } while (token);
  return all;
}

export async function getConfiguration(name: string): Promise<Configuration> {
  const body = await request<{ MediaInsightsPipelineConfiguration: Configuration }>(
    'GET',
    `/api/configurations/${encodeURIComponent(name)}`,
  );
  return body.MediaInsightsPipelineConfiguration;
}

/** The editor's text is sent as typed, so the API's JSON errors point into what the user sees. */
export function createConfiguration(documentText: string): Promise<SavedConfiguration> {
  return request('POST', '/api/configurations', documentText);
}

export function updateConfiguration(name: string, documentText: string): Promise<SavedConfiguration> {
  return request('PUT', `/api/configurations/${encodeURIComponent(name)}`, documentText);
}

export function deleteConfiguration(name: string): Promise<void> {
  return request('DELETE', `/api/configurations/${encodeURIComponent(name)}`);
}

/** UpdateMediaInsightsPipelineStatus. */
export function setPipelineStatus(id: string, status: 'Pause' | 'Resume'): Promise<void> {
  return request(
    'PUT',
    `/api/pipelines/${encodeURIComponent(id)}/status`,
    JSON.stringify({ UpdateStatus: status }),
  );
}

/** DeleteMediaPipeline: stops the pipeline (the call goes on, without analytics). */
export function stopPipeline(id: string): Promise<void> {
  return request('DELETE', `/api/pipelines/${encodeURIComponent(id)}`);
}

/** What an erasure removed, per part (docs/privacy.md). */
export interface ErasureReport {
  readonly callId: string;
  readonly erasedAt: string;
  readonly removed: Readonly<Record<string, number>>;
}

/** Erases a call that has ended: its records, recordings, post-call documents and directory entries. */
export function eraseCall(callId: string): Promise<ErasureReport> {
  return request('DELETE', `/api/calls/${encodeURIComponent(callId)}`);
}

/** GetMediaPipeline: the ParticipantRole of each channel the pipeline was created with. */
export async function pipelineChannelRoles(id: string): Promise<Map<number, 'AGENT' | 'CUSTOMER'>> {
  const body = await request<{
    MediaPipeline?: {
      MediaInsightsPipeline?: {
        KinesisVideoStreamSourceRuntimeConfiguration?: {
          Streams?: {
            StreamChannelDefinition?: {
              ChannelDefinitions?: { ChannelId?: number; ParticipantRole?: string }[];
            };
          }[];
        };
      };
    };
  }>('GET', `/api/pipelines/${encodeURIComponent(id)}`);
  const roles = new Map<number, 'AGENT' | 'CUSTOMER'>();
  const streams =
    body.MediaPipeline?.MediaInsightsPipeline?.KinesisVideoStreamSourceRuntimeConfiguration?.Streams ?? [];
  for (const stream of streams)
    for (const definition of stream.StreamChannelDefinition?.ChannelDefinitions ?? [])
      if (
        typeof definition.ChannelId === 'number' &&
        (definition.ParticipantRole === 'AGENT' || definition.ParticipantRole === 'CUSTOMER')
      )
        roles.set(definition.ChannelId, definition.ParticipantRole);
  return roles;
}

export interface ActiveCall {
  readonly callId: string;
  readonly confirmed: boolean;
  readonly rtp: readonly Readonly<Record<string, unknown>>[];
}

export async function activeCalls(): Promise<ActiveCall[]> {
  return (await request<{ calls: ActiveCall[] }>('GET', '/api/calls')).calls;
}

/** Transcribe Call Analytics' post-call document, as far as the call view shows it. */
export interface PostCallDocument {
  readonly Categories?: { readonly MatchedCategories?: readonly string[] };
  readonly ConversationCharacteristics?: {
    readonly TotalConversationDurationMillis?: number;
    readonly TalkTime?: {
      readonly DetailsByParticipant?: Readonly<Record<string, { TotalTimeMillis?: number }>>;
    };
    readonly TalkSpeed?: {
      readonly DetailsByParticipant?: Readonly<Record<string, { AverageWordsPerMinute?: number }>>;
    };
    readonly NonTalkTime?: { readonly TotalTimeMillis?: number };
    readonly Interruptions?: { readonly TotalCount?: number };
    readonly Sentiment?: { readonly OverallSentiment?: Readonly<Record<string, number>> };
  };
}

export function postCallDocument(url: string): Promise<PostCallDocument> {
  return request('GET', url);
}
