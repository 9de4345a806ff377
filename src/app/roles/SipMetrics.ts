import type { SipUserAgentStats } from '../../sip/SipUserAgent.js';
import type { AnyMetric } from '../../platform/metrics.js';

/**
 * The SIP user agent's limits and transports on /metrics, TCP and TLS added together (each log line
 * names its transport). `stats` reads the running agent: zeros before it listens.
 */
export function sipMetrics(stats: () => SipUserAgentStats | null): AnyMetric[] {
  const streams = (read: (s: SipUserAgentStats['tcp']) => number) => () => {
    const now = stats();
    return now ? read(now.tcp) + (now.tls ? read(now.tls) : 0) : 0;
  };
  return [
    {
      name: 'callsight_sip_connections',
      help: 'SIP TCP and TLS connections open now.',
      kind: 'gauge',
      value: streams((s) => s.connections),
    },
    {
      name: 'callsight_sip_connections_refused_total',
      help: 'SIP TCP/TLS connections closed at accept: over sip.maxConnections or sip.maxConnectionsPerSource.',
      kind: 'counter',
      value: streams((s) => s.refusedTotalLimit + s.refusedPerSourceLimit),
    },
    {
      name: 'callsight_sip_message_timeouts_total',
      help: 'SIP TCP/TLS connections closed because a message did not arrive whole within sip.messageTimeoutMs.',
      kind: 'counter',
      value: streams((s) => s.messageTimeouts),
    },
    {
      name: 'callsight_sip_keepalive_failures_total',
      help: 'Outbound SIP TCP/TLS flows closed because a keep-alive ping went unanswered.',
      kind: 'counter',
      value: streams((s) => s.keepAliveFailures),
    },
    {
      name: 'callsight_sip_tls_handshake_failures_total',
      help: 'SIP TLS handshakes that failed (no or an untrusted client certificate, no shared cipher).',
      kind: 'counter',
      value: () => stats()?.tls?.handshakeFailures ?? 0,
    },
    {
      name: 'callsight_sip_tls_clients_not_allowed_total',
      help: 'SIP TLS clients closed because their certificate names no one in sip.tlsClientAllowList.',
      kind: 'counter',
      value: () => stats()?.tls?.clientsNotAllowed ?? 0,
    },
    {
      name: 'callsight_sip_malformed_messages_total',
      help: 'SIP messages that broke the grammar or the stream framing (answered 400 when possible).',
      kind: 'counter',
      value: () => stats()?.malformedMessages ?? 0,
    },
  ];
}
