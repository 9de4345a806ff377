import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

/*
 * Who a certificate speaks for in SIP (RFC 5922 §7.1): the domains of its subjectAltName URIs of
 * scheme sip (`URI:sip:example.com`), its subjectAltName DNS names, and — only when it has neither —
 * its subject CN. Names compare case-insensitively and whole: RFC 5922 §7.2 does not let a
 * wildcard stand for a SIP domain. Hand-written: Node's checkServerIdentity knows DNS and IP
 * subjectAltNames only, and no npm library implements RFC 5922.
 */

/** `DNS:a.example.com, URI:sip:example.com, IP Address:192.0.2.1` → its entries. */
function altNames(cert: PeerCertificate): { kind: string; value: string }[] {
  return (cert.subjectaltname ?? '')
    .split(/,\s*(?=[A-Za-z][A-Za-z ]*:)/)
    .map((entry) => {
      const colon = entry.indexOf(':');
      return { kind: entry.slice(0, colon).trim().toUpperCase(), value: entry.slice(colon + 1).trim() };
    })
    .filter((e) => e.value !== '');
}

/** The SIP domains and host names a certificate speaks for, lower-cased. */
export function certificateIdentities(cert: PeerCertificate): string[] {
  const names: string[] = [];
  for (const { kind, value } of altNames(cert)) {
    if (kind === 'DNS') names.push(value.toLowerCase());
    else if (kind === 'URI') {
      const domain = /^sips?:(?:[^@]*@)?([^;?:>]+)/i.exec(value)?.[1];
      if (domain) names.push(domain.toLowerCase());
    }
  }
  if (names.length > 0) return [...new Set(names)];
  const cn = cert.subject?.CN;
  return (Array.isArray(cn) ? cn : cn ? [cn] : []).map((n) => n.toLowerCase());
}

/**
 * checkServerIdentity for outbound SIP over TLS (RFC 5922 §7.2): the certificate must speak for the
 * host we dialled. An IP address is checked against the IP subjectAltNames, as Node does.
 */
export function checkSipServerIdentity(host: string, cert: PeerCertificate): Error | undefined {
  if (isIP(host) !== 0) return checkServerIdentity(host, cert);
  const identities = certificateIdentities(cert);
  if (identities.includes(host.toLowerCase())) return undefined;
  return Object.assign(
    new Error(`certificate is for ${identities.join(', ') || 'no SIP domain'}, not ${host} (RFC 5922)`),
    { code: 'ERR_TLS_CERT_ALTNAME_INVALID', host, reason: 'RFC 5922 identity mismatch' },
  );
}
