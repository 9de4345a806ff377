export { DetailType } from './DetailTypes.js';
export * from './records.js';
export {
  StreamClient,
  type ConnectionState,
  type ConnectionStatus,
  type ReceivedFrame,
  type SocketLike,
  type StreamClientOptions,
} from './StreamClient.js';
export { stream, StreamClosedError, type StreamOptions, type WebSocketConstructor } from './stream.js';
export {
  CallsightApi,
  CallsightApiError,
  type ActiveCall,
  type ApiOptions,
  type ErasureReport,
  type ErrorBody,
  type PipelineSummary,
} from './api.js';
