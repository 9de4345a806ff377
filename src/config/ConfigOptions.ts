/**
 * Every setting Callsight reads, in one table: its place in the config file, its environment
 * variable, its default and what it does. `--help`, the README's configuration table and the config
 * schema are all derived from this list, so they cannot drift apart.
 */
export type OptionKind = 'string' | 'port' | 'integer' | 'number' | 'boolean';

export interface OptionSpec {
  /** Dotted path in the config file, e.g. `sip.udpPort`. */
  readonly path: string;
  readonly env: string;
  readonly kind: OptionKind;
  readonly default: string | number | boolean;
  readonly doc: string;
  readonly min?: number;
  readonly max?: number;
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    path: 'sip.host',
    env: 'CALLSIGHT_SIP_HOST',
    kind: 'string',
    default: '0.0.0.0',
    doc: 'Address the SIP listeners (UDP and TCP) bind to.',
  },
  {
    path: 'sip.udpPort',
    env: 'CALLSIGHT_SIP_UDP_PORT',
    kind: 'port',
    default: 5060,
    doc: 'SIP over UDP port.',
  },
  {
    path: 'sip.tcpPort',
    env: 'CALLSIGHT_SIP_TCP_PORT',
    kind: 'port',
    default: 5060,
    doc: 'SIP over TCP port.',
  },
  {
    path: 'sip.advertisedAddress',
    env: 'CALLSIGHT_SIP_ADVERTISED_ADDRESS',
    kind: 'string',
    default: '',
    doc: 'Address put in Contact and SDP (empty: the first non-loopback IPv4 address, else 127.0.0.1).',
  },
  {
    path: 'rtp.host',
    env: 'CALLSIGHT_RTP_HOST',
    kind: 'string',
    default: '0.0.0.0',
    doc: 'Address the RTP sockets bind to.',
  },
  {
    path: 'rtp.portMin',
    env: 'CALLSIGHT_RTP_PORT_MIN',
    kind: 'port',
    default: 20000,
    doc: 'Lowest RTP port (even; RTCP uses the next odd port).',
  },
  {
    path: 'rtp.portMax',
    env: 'CALLSIGHT_RTP_PORT_MAX',
    kind: 'port',
    default: 20999,
    doc: 'Highest RTP port.',
  },
  {
    path: 'rtp.jitterBufferMs',
    env: 'CALLSIGHT_RTP_JITTER_BUFFER_MS',
    kind: 'integer',
    default: 60,
    min: 0,
    max: 1000,
    doc: 'How long the jitter buffer waits for late or reordered packets.',
  },
  {
    path: 'rtp.mediaTimeoutSec',
    env: 'CALLSIGHT_RTP_MEDIA_TIMEOUT_SEC',
    kind: 'integer',
    default: 60,
    min: 0,
    max: 86400,
    doc: 'A call whose streams all stay silent (no RTP) this long is hung up with BYE (0: never).',
  },
  {
    path: 'http.host',
    env: 'CALLSIGHT_HTTP_HOST',
    kind: 'string',
    default: '0.0.0.0',
    doc: 'Address the HTTP server (web page, /ws, /api, /healthz, /metrics) binds to.',
  },
  { path: 'http.port', env: 'CALLSIGHT_HTTP_PORT', kind: 'port', default: 8080, doc: 'HTTP port.' },
  {
    path: 'http.wsMaxBufferedBytes',
    env: 'CALLSIGHT_WS_MAX_BUFFERED_BYTES',
    kind: 'integer',
    default: 4 * 1024 * 1024,
    min: 65536,
    doc: 'A WebSocket client that falls this many bytes behind is disconnected (close code 4008).',
  },
  {
    path: 'dataDir',
    env: 'CALLSIGHT_DATA_DIR',
    kind: 'string',
    default: './data',
    doc: 'Where the data stream and the database live.',
  },
  {
    path: 'webRoot',
    env: 'CALLSIGHT_WEB_ROOT',
    kind: 'string',
    default: '',
    doc: 'Folder served at / (empty: the bundled web page).',
  },
  {
    path: 'stream.retentionHours',
    env: 'CALLSIGHT_STREAM_RETENTION_HOURS',
    kind: 'number',
    default: 24 * 7,
    min: 0,
    doc: 'Records older than this are pruned from the data stream (0 keeps everything).',
  },
  {
    path: 'stream.maxRecords',
    env: 'CALLSIGHT_STREAM_MAX_RECORDS',
    kind: 'integer',
    default: 5_000_000,
    min: 0,
    doc: 'The data stream keeps at most this many records (0: no limit).',
  },
  {
    path: 'asr.workers',
    env: 'CALLSIGHT_ASR_WORKERS',
    kind: 'integer',
    default: 0,
    min: 0,
    max: 64,
    doc: 'Speech recognition worker threads (0: one per CPU core).',
  },
  {
    path: 'asr.languageCode',
    env: 'CALLSIGHT_ASR_LANGUAGE',
    kind: 'string',
    default: 'en-US',
    doc: 'Language of the calls (pocketsphinx ships en-US).',
  },
  {
    path: 'asr.enabled',
    env: 'CALLSIGHT_ASR_ENABLED',
    kind: 'boolean',
    default: true,
    doc: 'Transcribe calls (false: ingest, events and stream only).',
  },
  {
    path: 'pipeline.defaultConfiguration',
    env: 'CALLSIGHT_DEFAULT_CONFIGURATION',
    kind: 'string',
    default: 'callsight-default',
    doc: 'Call analytics configuration the default rule starts for every call (name of a configuration).',
  },
  {
    path: 'pipeline.defaultConfigurationFile',
    env: 'CALLSIGHT_DEFAULT_CONFIGURATION_FILE',
    kind: 'string',
    default: '',
    doc: 'JSON or YAML call analytics configuration (Chime schema) loaded at start as the default (empty: built-in transcription).',
  },
  {
    path: 'voiceConnector.id',
    env: 'CALLSIGHT_VOICE_CONNECTOR_ID',
    kind: 'string',
    default: 'callsight-vc',
    doc: 'voiceConnectorId put in every event.',
  },
  {
    path: 'voiceConnector.region',
    env: 'CALLSIGHT_REGION',
    kind: 'string',
    default: 'local',
    doc: 'region field of events and ARNs.',
  },
  {
    path: 'voiceConnector.account',
    env: 'CALLSIGHT_ACCOUNT',
    kind: 'string',
    default: '000000000000',
    doc: 'account field of events and ARNs.',
  },
  {
    path: 'log.level',
    env: 'LOG_LEVEL',
    kind: 'string',
    default: 'info',
    doc: 'Log level: fatal, error, warn, info, debug, trace or silent.',
  },
];
