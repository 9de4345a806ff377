import { BlockList, isIP } from 'node:net';
import { CallsightError } from '../../platform/errors.js';

/** An allow-list entry that is not a CIDR: the message names the entry. */
export class AllowListError extends CallsightError {
  override name = 'AllowListError';
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super('CS_ERR_CONFIG_INVALID', `allowed host ${JSON.stringify(entry)} ${reason}`);
  }
}

/**
 * The addresses allowed to send SIP, as CIDR blocks: the Voice Connector's "allowed hosts"
 * (termination `CidrAllowedList`). IPv4 and IPv6; a bare address is a /32 or /128. An IPv4 block
 * also matches the IPv4-mapped IPv6 form of its addresses (`::ffff:192.0.2.7`, what a dual-stack
 * socket reports), and `::ffff:0:0/96` blocks match plain IPv4 sources.
 *
 * An empty list allows everyone. That is Callsight's default, so that the demo takes calls out of
 * the box; a deployment reachable from the internet should list its trunks' addresses.
 *
 * Matching is node:net's BlockList (used here as an allow list). Entries are parsed strictly: no
 * host names, no zone ids, no prefix out of range, and no host bits set below the prefix
 * (`10.0.0.1/8` is refused, since a typo such as `/2` for `/32` would open the list to a quarter of
 * the internet).
 */
export class AllowList {
  readonly #blocks = new BlockList();
  /** The entries in canonical `address/prefix` form, in the order given. */
  readonly entries: readonly string[];

  private constructor(entries: readonly string[]) {
    this.entries = Object.freeze([...entries]);
    for (const entry of entries) {
      const [address, prefix] = entry.split('/') as [string, string];
      this.#blocks.addSubnet(address, Number(prefix), isIP(address) === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** The list that allows every source. */
  static everyone(): AllowList {
    return new AllowList([]);
  }

  /** Comma-separated CIDRs (whitespace around entries ignored; '' allows everyone). Throws AllowListError. */
  static parse(text: string): AllowList {
    return AllowList.of(
      text
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== ''),
    );
  }

  /** One CIDR per entry. Throws AllowListError naming the first bad entry. */
  static of(entries: readonly string[]): AllowList {
    return new AllowList(entries.map(canonicalCidr));
  }

  /** True when the list is empty, so every source is allowed. */
  get allowsEveryone(): boolean {
    return this.entries.length === 0;
  }

  /** Whether a request from this source address (as the socket reports it) may be served. */
  allows(address: string): boolean {
    if (this.allowsEveryone) return true;
    const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
    const family = isIP(bare);
    if (family === 0) return false;
    // A link-local source carries a zone (fe80::1%eth0); the CIDR is of the address alone.
    const unzoned = family === 6 ? bare.replace(/%.*$/, '') : bare;
    return this.#blocks.check(unzoned, family === 4 ? 'ipv4' : 'ipv6');
  }

  toJSON(): readonly string[] {
    return this.entries;
  }
}

/** `192.0.2.0/24`, `2001:db8::/32` or a bare address; returns `address/prefix`, or throws. */
function canonicalCidr(entry: string): string {
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if ((family !== 4 && family !== 6) || address.includes('%'))
    throw new AllowListError(entry, 'is not an IPv4 or IPv6 address or CIDR (host names are not allowed)');
  const bits = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(bits) : entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits)
    throw new AllowListError(entry, `has a prefix length that is not 0 to ${bits}`);
  const prefix = Number(prefixText);
  const bytes = addressBytes(address, family);
  if (!hostBitsClear(bytes, prefix)) {
    const network = formatAddress(maskBytes(bytes, prefix), family);
    throw new AllowListError(
      entry,
      `has host bits set below /${prefix} (did you mean ${network}/${prefix}?)`,
    );
  }
  return `${address}/${prefix}`;
}

// Only the validation needs the address as bytes (to find host bits set below the prefix);
// matching is BlockList's.

function addressBytes(address: string, family: 4 | 6): number[] {
  if (family === 4) return address.split('.').map(Number);
  let text = address;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted[1]!.split('.').map(Number));
    text = `${text.slice(0, dotted.index)}0:0`;
  }
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length > 0) bytes.splice(12, 4, ...tail);
  return bytes;
}

function maskBytes(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const keep = Math.min(8, Math.max(0, prefix - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
}

function hostBitsClear(bytes: readonly number[], prefix: number): boolean {
  return maskBytes(bytes, prefix).every((b, i) => b === bytes[i]);
}

function formatAddress(bytes: readonly number[], family: 4 | 6): string {
  if (family === 4) return bytes.join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // Good enough for a hint: compress the first run of zero groups.
  return words.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
