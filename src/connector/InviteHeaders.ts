/**
 * Which INVITE headers the streaming-status events carry in `inviteHeaders` (Chime: a fixed set;
 * Callsight: configurable). Patterns are lower-case header names, `x-*` style prefixes allowed.
 */
export type HeaderAllowList = readonly string[];

/** Credentials never leave the SIP layer, whatever the allow-list says. */
const NEVER = new Set(['authorization', 'proxy-authorization']);

/** Default: every header but credentials. */
export const ALL_HEADERS: HeaderAllowList = ['*'];

export function parseHeaderAllowList(text: string): HeaderAllowList {
  const patterns = text
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  return patterns.length === 0 ? ALL_HEADERS : patterns;
}

function allowed(name: string, patterns: HeaderAllowList): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

export function allowedHeaders(
  headers: Readonly<Record<string, string>>,
  patterns: HeaderAllowList = ALL_HEADERS,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!NEVER.has(name) && allowed(name, patterns)) out[name] = value;
  }
  return out;
}
