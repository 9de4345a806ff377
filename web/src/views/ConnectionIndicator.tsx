import { formatCount } from '../format.js';
import { useNow } from '../hooks.js';
import type { ConnectionStatus } from '../../../client/src/StreamClient.js';

const LABEL = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
} as const;

/** Connection state, the last sequence number seen and, while reconnecting, when the next try is. */
export function ConnectionIndicator({
  status,
  lastSeq,
  received,
  onReconnect,
}: {
  status: ConnectionStatus;
  lastSeq: string;
  received: number;
  onReconnect: () => void;
}) {
  const now = useNow(500);
  const retryIn = status.retryAt !== null ? Math.max(0, Math.ceil((status.retryAt - now) / 1000)) : null;
  return (
    <div className="connection">
      <span className={`dot ${status.state}`} aria-hidden="true" />
      <span role="status" data-testid="connection" data-state={status.state}>
        {LABEL[status.state]}
        {status.state === 'reconnecting' && retryIn !== null && retryIn > 0 ? ` (in ${retryIn} s)` : ''}
      </span>
      <span className="muted mono" title="Last sequence number received" data-testid="last-seq">
        #{lastSeq}
      </span>
      <span className="muted" data-testid="received-count">
        · {formatCount(received)} msgs
      </span>
      {status.state === 'reconnecting' && (
        <button type="button" onClick={onReconnect}>
          Retry now
        </button>
      )}
    </div>
  );
}
