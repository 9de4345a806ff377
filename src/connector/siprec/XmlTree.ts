import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RecordingMetadataError } from './SiprecErrors.js';
import { errorMessage } from '../../platform/errors.js';

/**
 * Reads untrusted XML (SIPREC metadata from the network) into a small namespace-resolved element
 * tree, with fast-xml-parser doing the tokenising. Guards, in order:
 *
 * - a size cap before anything is parsed, and an element-count cap while converting;
 * - any `<!DOCTYPE` or `<!ENTITY` is refused outright, and the parser runs with entity processing off:
 *   only the five predefined entities and character references are decoded (here), any other
 *   `&name;` is an error. So no external entity is fetched (XXE) and nothing expands (billion laughs);
 * - well-formedness is checked by XMLValidator, because XMLParser itself accepts broken documents.
 *
 * One repair is tolerated: a start and end tag that differ where exactly one of the two names is a
 * known element (`<naSRCme xml:lang="it">Alice</name>` in the Chime developer guide's SIPREC example)
 * — the misspelt one is renamed to the known one, at most MAX_REPAIRS times, each reported by
 * onWarning.
 */

export interface XmlElement {
  /** Local name (prefix removed). */
  readonly name: string;
  /** Namespace URI from the in-scope xmlns declarations, or null (none, or an undeclared prefix). */
  readonly namespace: string | null;
  /** Attributes by local name (`participant_id`), except `xml:lang`, kept whole; no xmlns ones. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Direct text content (CDATA included), entities decoded, not trimmed. */
  readonly text: string;
}

export interface XmlReadOptions {
  readonly maxBytes: number;
  readonly maxElements: number;
  /** Local names a misspelt tag may be repaired to. */
  readonly knownNames: ReadonlySet<string>;
  readonly onWarning?: ((message: string) => void) | undefined;
}

const MAX_REPAIRS = 3;
const MAX_DEPTH = 32;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  maxNestedTags: MAX_DEPTH,
});

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new RecordingMetadataError('not well-formed XML: unescaped "&"');
    const predefined = PREDEFINED[ref];
    if (predefined !== undefined) return predefined;
    const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (numeric) {
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
      const allowed =
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff));
      if (!allowed)
        throw new RecordingMetadataError(`not well-formed XML: character reference &${ref}; is not allowed`);
      return String.fromCodePoint(code);
    }
    throw new RecordingMetadataError(`undefined entity &${ref}; (entities are not expanded)`);
  });
}

const localName = (qname: string): string => qname.slice(qname.indexOf(':') + 1);

/** Offset of the `token` on line `line` (1-based) nearest to column `col`, or -1. */
function findOnLine(text: string, line: number, col: number, token: string): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    start = text.indexOf('\n', start) + 1;
    if (start === 0) return -1;
  }
  const endOfLine = text.indexOf('\n', start);
  const lineText = text.slice(start, endOfLine < 0 ? text.length : endOfLine);
  let best = -1;
  for (let at = lineText.indexOf(token); at >= 0; at = lineText.indexOf(token, at + 1)) {
    if (!/[\s>/]/.test(lineText[at + token.length] ?? '>')) continue;
    if (best < 0 || Math.abs(at + 1 - col) < Math.abs(best + 1 - col)) best = at;
  }
  return best < 0 ? -1 : start + best;
}

/** The document made well-formed by the misspelt-tag repair, or a RecordingMetadataError. */
function validated(text: string, options: XmlReadOptions): string {
  let doc = text;
  for (let repairs = 0; ; repairs++) {
    const result = XMLValidator.validate(doc, { allowBooleanAttributes: false });
    if (result === true) return doc;
    const { msg, line } = result.err;
    const fail = () => new RecordingMetadataError(`not well-formed XML: ${msg} (line ${line})`);
    const mismatch =
      /^Expected closing tag '([^']+)' \(opened in line (\d+), col (\d+)\) instead of closing tag '([^']+)'\.$/.exec(
        msg,
      );
    if (!mismatch || repairs >= MAX_REPAIRS) throw fail();
    const [, opened = '', openLine = '0', openCol = '0', closed = ''] = mismatch;
    const openedKnown = options.knownNames.has(localName(opened));
    const closedKnown = options.knownNames.has(localName(closed));
    if (openedKnown === closedKnown) throw fail();
    // Rename the misspelt tag to the known one.
    const at = closedKnown
      ? findOnLine(doc, Number(openLine), Number(openCol), `<${opened}`)
      : findOnLine(doc, line, result.err.col, `</${closed}`);
    if (at < 0) throw fail();
    doc = closedKnown
      ? `${doc.slice(0, at)}<${closed}${doc.slice(at + 1 + opened.length)}`
      : `${doc.slice(0, at)}</${opened}${doc.slice(at + 2 + closed.length)}`;
    options.onWarning?.(
      closedKnown
        ? `repaired misspelt start tag <${opened}> to <${closed}>`
        : `repaired misspelt end tag </${closed}> to </${opened}>`,
    );
  }
}

type FxpNode = Record<string, unknown>;

function textOf(nodes: unknown): string {
  if (!Array.isArray(nodes)) return '';
  return nodes.map((n: FxpNode) => (typeof n['#text'] === 'string' ? n['#text'] : '')).join('');
}

/** Parses and converts; `scope` maps prefixes ('' for the default) to namespace URIs. */
function convert(
  node: FxpNode,
  scope: ReadonlyMap<string, string>,
  counter: { count: number; max: number },
): XmlElement | null {
  const qname = Object.keys(node).find((k) => k !== ':@');
  if (qname === undefined || qname === '#text' || qname === '#cdata') return null;
  if (++counter.count > counter.max) {
    throw new RecordingMetadataError(`more than ${counter.max} elements`, { tooLarge: true });
  }
  const raw = (node[':@'] ?? {}) as Record<string, string>;
  let inner: Map<string, string> | null = null;
  const attributes = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      inner ??= new Map(scope);
      inner.set(name === 'xmlns' ? '' : name.slice(6), decodeEntities(value));
    } else {
      attributes.set(name === 'xml:lang' ? name : localName(name), decodeEntities(value));
    }
  }
  const here = inner ?? scope;
  const colon = qname.indexOf(':');
  const namespace = here.get(colon < 0 ? '' : qname.slice(0, colon)) || null;
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[qname] as FxpNode[] | undefined) ?? []) {
    if (typeof child['#text'] === 'string') text += decodeEntities(child['#text']);
    else if (child['#cdata'] !== undefined) text += textOf(child['#cdata']);
    else {
      const element = convert(child, here, counter);
      if (element) children.push(element);
    }
  }
  return { name: localName(qname), namespace, attributes, children, text };
}

/** Reads one XML document into its root element. Throws RecordingMetadataError. */
export function readXml(source: string, options: XmlReadOptions): XmlElement {
  if (Buffer.byteLength(source, 'utf8') > options.maxBytes) {
    throw new RecordingMetadataError(`larger than ${options.maxBytes} bytes`, { tooLarge: true });
  }
  // A byte-order mark or whitespace before the declaration is a common sender slip.
  const text = source.replace(/^\uFEFF/, '').trimStart();
  if (text === '') throw new RecordingMetadataError('empty document');
  if (/<!\s*(?:DOCTYPE|ENTITY)/i.test(text)) {
    throw new RecordingMetadataError('DOCTYPE and entity declarations are not allowed');
  }
  const doc = validated(text, options);
  let nodes: FxpNode[];
  try {
    nodes = parser.parse(doc) as FxpNode[];
  } catch (err) {
    throw new RecordingMetadataError(`not well-formed XML: ${errorMessage(err)}`, { cause: err });
  }
  const counter = { count: 0, max: options.maxElements };
  const roots = nodes.map((n) =>
    convert(n, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), counter),
  );
  const elements = roots.filter((r): r is XmlElement => r !== null);
  if (elements.length !== 1) {
    throw new RecordingMetadataError(`not well-formed XML: ${elements.length} root elements`);
  }
  return elements[0]!;
}
