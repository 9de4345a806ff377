import { parseVia, splitList } from './HeaderValues.js';
import type { SipHeaders } from './SipHeaders.js';

/** A `received` or `rport` parameter already on a Via entry (we write our own). */
const RECEIVED_OR_RPORT = /;\s*(?:received|rport)(?:\s*=\s*[^;\s,]*)?/gi;

/**
 * Where a request really came from, written into the top Via of the response to it, so that a
 * client behind NAT learns its public address and the response finds its way back:
 *   - `received=<source address>` when the sent-by host is not that address (RFC 3261 §18.2.1), and
 *     always when the client asked with `rport` (RFC 3581 §4);
 *   - `rport=<source port>` when the client asked with an empty `rport`.
 * The response itself goes back to the source address and port (the flow) whatever the Via says.
 * A top Via that does not parse is left alone.
 */
export function stampReceived(headers: SipHeaders, source: { address: string; port: number }): void {
  const values = headers.getAll('via');
  const entries = values[0] === undefined ? [] : splitList(values[0]);
  const top = entries[0];
  const via = top === undefined ? null : parseVia(top);
  if (top === undefined || via === null) return;
  const rport = via.params.has('rport');
  if (!rport && via.host === source.address) return;
  // An IPv6 `received` value is written bare, without brackets (RFC 3261 §25.1, RFC 5118 §4.5).
  const stamped = `;received=${source.address}${rport ? `;rport=${source.port}` : ''}`;
  entries[0] = `${top.replace(RECEIVED_OR_RPORT, '').trimEnd()}${stamped}`;
  headers.replaceFirst('via', entries.join(', '));
}
