/**
 * MIME header values with parameters (RFC 2045 §5.1, RFC 2183, RFC 3261 §20.11): `Content-Type`
 * (`type/subtype; name=value`) and `Content-Disposition` (`disposition; handling=required`).
 * Type, subtype, disposition and parameter names are case-insensitive and come back lower-cased;
 * parameter values (a token or a quoted string) keep their case. Each parser returns null for a
 * value that breaks the grammar (tolerating unquoted tspecials in values, which senders get wrong).
 */

export interface ContentType {
  /** `type/subtype`, lower-cased: `application/sdp`, `multipart/mixed`. */
  readonly mediaType: string;
  readonly type: string;
  readonly subtype: string;
  /** Parameters, names lower-cased, values unquoted. */
  readonly params: ReadonlyMap<string, string>;
}

export interface ContentDisposition {
  /** Lower-cased: `session`, `recording-session`, `render`, … */
  readonly disposition: string;
  readonly params: ReadonlyMap<string, string>;
  /** RFC 3261 §20.11 `handling` parameter, lower-cased, or null when absent. */
  readonly handling: string | null;
}

// RFC 2045 token: any CHAR except SPACE, CTLs and tspecials.
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

/**
 * `; name=value` parameters after the main value. Values are tokens or quoted strings (backslash
 * escapes); empty parameters (`;;`, a trailing `;`) are tolerated. Null on any other syntax.
 */
function parseParams(text: string): Map<string, string> | null {
  const params = new Map<string, string>();
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  for (;;) {
    skipSpace();
    if (i >= text.length) return params;
    if (text[i] !== ';') return null;
    i++;
    skipSpace();
    if (i >= text.length || text[i] === ';') continue;
    const nameStart = i;
    while (i < text.length && !'=; \t'.includes(text[i]!)) i++;
    const name = text.slice(nameStart, i);
    if (!TOKEN.test(name)) return null;
    skipSpace();
    let value = '';
    if (text[i] === '=') {
      i++;
      skipSpace();
      if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < text.length) {
          const c = text[i]!;
          if (c === '\\' && i + 1 < text.length) {
            value += text[i + 1];
            i += 2;
          } else if (c === '"') {
            i++;
            closed = true;
            break;
          } else {
            value += c;
            i++;
          }
        }
        if (!closed) return null;
      } else {
        const valueStart = i;
        while (i < text.length && !'; \t'.includes(text[i]!)) i++;
        value = text.slice(valueStart, i);
        // A token by the grammar; tspecials such as '=' or '/' unquoted (`boundary=--=_Part_1`) are
        // a common sender mistake that is unambiguous here, so they are tolerated.
        if (value === '' || value.includes('"')) return null;
      }
    }
    params.set(name.toLowerCase(), value);
  }
}

/** `type/subtype *(; param)`; null if the value is not a media type. */
export function parseContentType(value: string): ContentType | null {
  const match = /^[ \t]*([^/\s;]+)[ \t]*\/[ \t]*([^\s;]+)(.*)$/s.exec(value.replace(/\r?\n[ \t]+/g, ' '));
  if (!match) return null;
  const type = match[1]!.toLowerCase();
  const subtype = match[2]!.toLowerCase();
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return null;
  const params = parseParams(match[3]!);
  if (!params) return null;
  return { mediaType: `${type}/${subtype}`, type, subtype, params };
}

/** `disposition *(; param)`; null if the value does not follow the grammar. */
export function parseContentDisposition(value: string): ContentDisposition | null {
  const match = /^[ \t]*([^\s;]+)(.*)$/s.exec(value.replace(/\r?\n[ \t]+/g, ' '));
  if (!match || !TOKEN.test(match[1]!)) return null;
  const params = parseParams(match[2]!);
  if (!params) return null;
  return {
    disposition: match[1]!.toLowerCase(),
    params,
    handling: params.get('handling')?.toLowerCase() ?? null,
  };
}
