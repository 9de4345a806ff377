import { BlockList, isIP } from 'node:net';
import { CallsightError, errorMessage } from '../platform/errors.js';

/*
 * EventBridge's event-pattern language, compiled once into closures and matched many times.
 *
 * Semantics follow the Amazon EventBridge User Guide:
 *   - Event patterns / Event pattern syntax (fields are AND, a field's array is OR; strings match
 *     character by character; null is not ""; unnamed event fields are ignored):
 *     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 *     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
 *   - Matching on multiple field values (an event array matches when the intersection is non-empty):
 *     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
 *   - Matching null values and empty strings:
 *     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
 *   - Comparison operators / Content filtering (prefix, suffix, anything-but, numeric, cidr, exists,
 *     equals-ignore-case, wildcard, $or; "comparison operators only work on leaf nodes, with the
 *     exception of $or and anything-but"):
 *     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 *     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 *
 * Where the guide is silent we chose, and the tests pin the choice:
 *   - A leaf is a string, number, boolean or null; arrays are looked through (at any depth); an object
 *     is never a leaf. `exists: true` needs at least one leaf, so null exists, while an object, an
 *     empty array or a missing field does not ("exists matching only works on leaf nodes").
 *   - anything-but needs a leaf: it never matches a missing field, and matches null, booleans and
 *     values of the other type (anything-but "x" matches 5; anything-but {prefix} matches 12).
 *   - Objects inside event arrays are matched one element at a time: every condition of a nested
 *     pattern object must hold within the same element (EventBridge's "array-consistent" matching).
 *   - The guide compares numbers by their JSON text (300 ≠ 3.0e2). A parsed event no longer has that
 *     text, so exact values compare as JS numbers. `numeric` and numeric anything-but work to six
 *     decimal places, on values in [-5e9, 5e9] as the guide states; an event number outside that
 *     range never satisfies `numeric`.
 *   - A numeric range lists its lower bound first ([">", 0, "<=", 5]), as EventBridge requires;
 *     ["<", 10, ">=", 0] is rejected like EventBridge rejects it.
 *   - anything-but accepts a list under prefix/suffix/equals-ignore-case/wildcard, as EventBridge
 *     does today; an empty prefix or suffix there is rejected.
 *   - Wildcards: `*` is zero or more characters, `\*` and `\\` are literals, any other escape and
 *     consecutive `*` are rejected. The guide names no complexity threshold, so none is applied: the
 *     matcher is linear per segment and cannot backtrack exponentially.
 *   - $or takes an array of two or more non-empty objects; an operator name (prefix, numeric, ...) as a
 *     field directly inside a $or branch is rejected as a misplaced operator.
 *   - Dotted keys are not merged with nested objects ({"a.b": …} is not {"a": {"b": …}}); the guide
 *     notes EventBridge joins them but that this is an artifact. cidr accepts host bits in the
 *     address ("10.0.0.1/24" means 10.0.0.0/24); exact strings that look like IPs compare as text.
 * Habit 2 (types in their own file) is not followed: the contract is one interface and one error.
 */

/** A validated, compiled event pattern. Immutable; `matches` is safe to call concurrently. */
export interface CompiledPattern {
  /** True when the event (a JSON object, e.g. an EventEnvelope) matches the pattern. */
  matches(event: unknown): boolean;
  /** The pattern as validated (a deep, frozen copy). */
  toJSON(): unknown;
}

/** One thing wrong with a pattern: where (a JSONPath such as `$.detail["c-count"][0]`) and why. */
export interface EventPatternProblem {
  readonly path: string;
  readonly reason: string;
}

const MAX_PROBLEMS_SHOWN = 20;

/** Thrown by compileEventPattern; `problems` lists every problem found, each with its JSON path. */
export class EventPatternError extends CallsightError {
  override name = 'EventPatternError';
  readonly problems: readonly EventPatternProblem[];

  constructor(problems: readonly EventPatternProblem[], options?: { cause?: unknown }) {
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => `${p.path}: ${p.reason}`);
    if (problems.length > MAX_PROBLEMS_SHOWN)
      shown.push(`… and ${problems.length - MAX_PROBLEMS_SHOWN} more`);
    super('CS_ERR_EVENT_PATTERN_INVALID', `invalid event pattern: ${shown.join('; ')}`, options);
    this.problems = Object.freeze([...problems]);
  }
}

/**
 * Validates an EventBridge event pattern (a JSON object, or its JSON text as PutRule takes it) and
 * compiles it. Throws EventPatternError (CS_ERR_EVENT_PATTERN_INVALID, status 400) naming the JSON
 * path of every problem.
 */
export function compileEventPattern(pattern: unknown): CompiledPattern {
  let source = pattern;
  if (typeof pattern === 'string') {
    try {
      // JSON.parse keeps the last of duplicate keys, which is what EventBridge does too.
      source = JSON.parse(pattern) as unknown;
    } catch (cause) {
      throw new EventPatternError([{ path: '$', reason: `not valid JSON (${errorMessage(cause)})` }], {
        cause,
      });
    }
  }
  const compiler = new Compiler();
  const root = compiler.object(source, '$', false);
  if (compiler.problems.length > 0 || root === null) throw new EventPatternError(compiler.problems);
  const frozen = deepFreeze(structuredClone(source));
  return Object.freeze({
    matches: (event: unknown): boolean => isRecord(event) && matchObject(root, event),
    toJSON: (): unknown => frozen,
  });
}

// ---------------------------------------------------------------------------------------------
// Compiled form

type Leaf = string | number | boolean | null;
type LeafTest = (leaf: Leaf) => boolean;

/** The alternatives of one field's array: exact values in sets, operators as closures. */
interface ValueTest {
  readonly strings: ReadonlySet<string> | null;
  readonly numbers: ReadonlySet<number> | null;
  readonly matchTrue: boolean;
  readonly matchFalse: boolean;
  readonly matchNull: boolean;
  readonly existsTrue: boolean;
  readonly existsFalse: boolean;
  readonly tests: readonly LeafTest[];
}

type FieldNode =
  | { readonly key: string; readonly kind: 'values'; readonly test: ValueTest }
  | { readonly key: string; readonly kind: 'object'; readonly node: ObjectNode };

/** A pattern object: all fields AND every $or (each an OR of branches at this same level). */
interface ObjectNode {
  readonly fields: readonly FieldNode[];
  readonly ors: readonly (readonly ObjectNode[])[];
}

// ---------------------------------------------------------------------------------------------
// Matching

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldOf(obj: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function matchObject(node: ObjectNode, obj: Readonly<Record<string, unknown>>): boolean {
  for (const field of node.fields) {
    const value = fieldOf(obj, field.key);
    if (field.kind === 'values' ? !matchValues(field.test, value) : !matchNested(field.node, value))
      return false;
  }
  for (const branches of node.ors) {
    let any = false;
    for (const branch of branches) {
      if (matchObject(branch, obj)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

/**
 * A nested pattern object against an event value. Objects inside arrays are tried one by one; a
 * missing field, a leaf or an array without objects is judged as an object with no fields, so that
 * `exists: false` below it can still hold.
 */
function matchNested(node: ObjectNode, value: unknown): boolean {
  if (!Array.isArray(value)) return matchObject(node, isRecord(value) ? value : EMPTY);
  let sawObject = false;
  const stack: unknown[][] = [value];
  for (let list = stack.pop(); list !== undefined; list = stack.pop()) {
    for (const item of list) {
      if (Array.isArray(item)) stack.push(item);
      else if (isRecord(item)) {
        sawObject = true;
        if (matchObject(node, item)) return true;
      }
    }
  }
  return !sawObject && matchObject(node, EMPTY);
}

function isLeaf(value: unknown): value is Leaf {
  const type = typeof value;
  return value === null || type === 'string' || type === 'number' || type === 'boolean';
}

const NO_LEAF = 0;
const LEAF_NO_MATCH = 1;
const LEAF_MATCH = 2;

/** One field's array of alternatives against the event's value (any leaf, through arrays). */
function matchValues(test: ValueTest, value: unknown): boolean {
  if (isLeaf(value)) return test.existsTrue || matchLeaf(test, value);
  if (!Array.isArray(value)) return test.existsFalse; // missing, or an object (not a leaf)
  const seen = scanLeaves(test, value);
  return seen === LEAF_MATCH || (seen === NO_LEAF && test.existsFalse);
}

function scanLeaves(test: ValueTest, array: readonly unknown[]): number {
  let seen = NO_LEAF;
  const stack: (readonly unknown[])[] = [array];
  for (let list = stack.pop(); list !== undefined; list = stack.pop()) {
    for (const item of list) {
      if (isLeaf(item)) {
        if (test.existsTrue || matchLeaf(test, item)) return LEAF_MATCH;
        seen = LEAF_NO_MATCH;
      } else if (Array.isArray(item)) stack.push(item);
    }
  }
  return seen;
}

function matchLeaf(test: ValueTest, leaf: Leaf): boolean {
  if (typeof leaf === 'string') {
    if (test.strings?.has(leaf)) return true;
  } else if (typeof leaf === 'number') {
    if (test.numbers?.has(leaf)) return true;
  } else if (leaf === null) {
    if (test.matchNull) return true;
  } else if (leaf ? test.matchTrue : test.matchFalse) return true;
  for (const t of test.tests) if (t(leaf)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Numbers: the guide limits numeric matching to [-5e9, 5e9] with six digits after the point.

const NUMERIC_LIMIT = 5e9;

function inNumericRange(n: number): boolean {
  return Number.isFinite(n) && n >= -NUMERIC_LIMIT && n <= NUMERIC_LIMIT;
}

/**
 * Nearest millionth: two numbers are equal for `numeric` when these are equal. Rounding (not
 * truncating) keeps 1.000001 at 1000001 although 1.000001 * 1e6 is 1000000.9999999999.
 */
function micros(n: number): number {
  return Math.round(n * 1e6);
}

// ---------------------------------------------------------------------------------------------
// Wildcards: `*` is any run of characters, `\*` and `\\` are the literal characters.

/** Splits on unescaped `*`; returns the literal segments or the reason the text is invalid. */
function parseWildcard(text: string): string[] | string {
  const segments: string[] = [];
  let current = '';
  let lastWasStar = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') return `a backslash may only escape "*" or "\\" (position ${i})`;
      current += next;
      i++;
      lastWasStar = false;
    } else if (c === '*') {
      if (lastWasStar) return `consecutive wildcard characters are not supported (position ${i})`;
      segments.push(current);
      current = '';
      lastWasStar = true;
    } else {
      current += c;
      lastWasStar = false;
    }
  }
  segments.push(current);
  return segments;
}

/** Greedy leftmost placement is exact for `*`-only globs, so no backtracking is needed. */
function wildcardTest(segments: readonly string[]): (value: string) => boolean {
  const first = segments[0] ?? '';
  if (segments.length === 1) return (value) => value === first;
  const last = segments[segments.length - 1] ?? '';
  const middle = segments.slice(1, -1).filter((s) => s !== '');
  const fixed = first.length + last.length;
  return (value) => {
    if (value.length < fixed || !value.startsWith(first) || !value.endsWith(last)) return false;
    const limit = value.length - last.length;
    let at = first.length;
    for (const segment of middle) {
      const found = value.indexOf(segment, at);
      if (found === -1 || found + segment.length > limit) return false;
      at = found + segment.length;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// `cidr`: node:net parses the addresses and its BlockList matches them.

/**
 * A value matches when it is an address of the CIDR's own family inside the block: an IPv4 CIDR
 * does not match the IPv4-mapped IPv6 form of its addresses (BlockList alone would), nor an IPv6
 * one plain IPv4. Addresses with a zone id (`fe80::1%eth0`) are not addresses here.
 */
function cidrTest(text: string): ((value: string) => boolean) | string {
  const parts = text.split('/');
  if (parts.length !== 2) return `malformed CIDR "${text}": exactly one "/" is required`;
  const [address = '', bitsText = ''] = parts;
  const family = ipFamily(address);
  if (family === 0) return `malformed CIDR "${text}": "${address}" is not an IPv4 or IPv6 address`;
  const maxBits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > maxBits)
    return `malformed CIDR "${text}": the prefix length must be an integer from 0 to ${maxBits}`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  block.addSubnet(address, Number(bitsText), type);
  return (value) => ipFamily(value) === family && block.check(value, type);
}

/** 4 or 6 for an IPv4 or IPv6 address without a zone id, else 0. */
function ipFamily(text: string): 0 | 4 | 6 {
  if (text.includes('%')) return 0;
  const family = isIP(text);
  return family === 4 || family === 6 ? family : 0;
}

// ---------------------------------------------------------------------------------------------
// Validation and compilation

const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
] as const;
const OPERATOR_NAMES: ReadonlySet<string> = new Set(OPERATORS);
const NUMERIC_OPERATORS: ReadonlySet<string> = new Set(['=', '<', '<=', '>', '>=']);
const ANYTHING_BUT_FORMS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

interface ValueTestBuilder {
  strings: Set<string> | null;
  numbers: Set<number> | null;
  matchTrue: boolean;
  matchFalse: boolean;
  matchNull: boolean;
  existsTrue: boolean;
  existsFalse: boolean;
  tests: LeafTest[];
}

class Compiler {
  readonly problems: EventPatternProblem[] = [];

  private problem(path: string, reason: string): null {
    this.problems.push({ path, reason });
    return null;
  }

  /** A pattern object (the root, a nested field or a $or branch). */
  object(value: unknown, path: string, orBranch: boolean): ObjectNode | null {
    if (!isPlainObject(value)) return this.problem(path, `must be a JSON object, not ${describe(value)}`);
    const keys = Object.keys(value);
    if (keys.length === 0) return this.problem(path, 'empty objects are not allowed');
    const valueFields: FieldNode[] = [];
    const objectFields: FieldNode[] = [];
    const ors: ObjectNode[][] = [];
    for (const key of keys) {
      const child = value[key];
      const at = childPath(path, key);
      if (key === '$or') {
        const branches = this.or(child, at);
        if (branches !== null) ors.push(branches);
      } else if (orBranch && OPERATOR_NAMES.has(key)) {
        this.problem(at, `"${key}" is a comparison operator; inside $or it must sit in a field's array`);
      } else if (Array.isArray(child)) {
        const test = this.values(child, at);
        if (test !== null) valueFields.push({ key, kind: 'values', test });
      } else if (isPlainObject(child)) {
        const node = this.object(child, at, false);
        if (node !== null) objectFields.push({ key, kind: 'object', node });
      } else {
        this.problem(at, `"${key}" must be an object or an array, not ${describe(child)}`);
      }
    }
    // Cheap leaf tests first, then nested objects, then $or.
    return { fields: [...valueFields, ...objectFields], ors };
  }

  private or(value: unknown, path: string): ObjectNode[] | null {
    if (!Array.isArray(value) || value.length < 2)
      return this.problem(path, '$or must be an array of at least two pattern objects');
    const branches: ObjectNode[] = [];
    value.forEach((branch, i) => {
      const node = this.object(branch, `${path}[${i}]`, true);
      if (node !== null) branches.push(node);
    });
    return branches.length === value.length ? branches : null;
  }

  /** A field's array: exact values and operator objects, any of which may match. */
  private values(list: readonly unknown[], path: string): ValueTest | null {
    if (list.length === 0) return this.problem(path, 'empty arrays are not allowed');
    const b: ValueTestBuilder = {
      strings: null,
      numbers: null,
      matchTrue: false,
      matchFalse: false,
      matchNull: false,
      existsTrue: false,
      existsFalse: false,
      tests: [],
    };
    const before = this.problems.length;
    list.forEach((item, i) => {
      const at = `${path}[${i}]`;
      if (typeof item === 'string') (b.strings ??= new Set()).add(item);
      else if (typeof item === 'number') {
        if (Number.isFinite(item)) (b.numbers ??= new Set()).add(item);
        else this.problem(at, `${item} is not a JSON number`);
      } else if (item === true) b.matchTrue = true;
      else if (item === false) b.matchFalse = true;
      else if (item === null) b.matchNull = true;
      else if (isPlainObject(item)) this.operator(item, at, b);
      else
        this.problem(
          at,
          `a match value must be a string, number, true, false, null or an operator object, not ${describe(item)}`,
        );
    });
    return this.problems.length === before ? b : null;
  }

  private operator(expr: Record<string, unknown>, path: string, b: ValueTestBuilder): void {
    const keys = Object.keys(expr);
    if (keys.length !== 1) {
      this.problem(
        path,
        keys.length === 0
          ? 'empty match expression: expected one of ' + OPERATORS.join(', ')
          : `only one key allowed in a match expression, found ${keys.map((k) => `"${k}"`).join(', ')}`,
      );
      return;
    }
    const op = keys[0] ?? '';
    const arg = expr[op];
    const at = childPath(path, op);
    switch (op) {
      case 'prefix':
      case 'suffix': {
        const test = this.affix(op, arg, at);
        if (test !== null) b.tests.push(test);
        return;
      }
      case 'equals-ignore-case': {
        if (typeof arg !== 'string') {
          this.problem(at, `equals-ignore-case takes a string, not ${describe(arg)}`);
          return;
        }
        const lower = arg.toLowerCase();
        b.tests.push((v) => typeof v === 'string' && v.toLowerCase() === lower);
        return;
      }
      case 'wildcard': {
        const test = this.wildcard(arg, at);
        if (test !== null) b.tests.push((v) => typeof v === 'string' && test(v));
        return;
      }
      case 'anything-but': {
        const test = this.anythingBut(arg, at);
        if (test !== null) b.tests.push(test);
        return;
      }
      case 'numeric': {
        const test = this.numeric(arg, at);
        if (test !== null) b.tests.push(test);
        return;
      }
      case 'exists':
        if (arg === true) b.existsTrue = true;
        else if (arg === false) b.existsFalse = true;
        else this.problem(at, `exists takes true or false, not ${describe(arg)}`);
        return;
      case 'cidr': {
        if (typeof arg !== 'string') {
          this.problem(at, `cidr takes a string such as "10.0.0.0/24", not ${describe(arg)}`);
          return;
        }
        const test = cidrTest(arg);
        if (typeof test === 'string') this.problem(at, test);
        else b.tests.push((v) => typeof v === 'string' && test(v));
        return;
      }
      default:
        this.problem(path, `unrecognized match type "${op}" (expected one of ${OPERATORS.join(', ')})`);
    }
  }

  /** `{"prefix": "x"}` or `{"prefix": {"equals-ignore-case": "x"}}`, and the same for suffix. */
  private affix(op: 'prefix' | 'suffix', arg: unknown, path: string): LeafTest | null {
    if (typeof arg === 'string')
      return op === 'prefix'
        ? (v) => typeof v === 'string' && v.startsWith(arg)
        : (v) => typeof v === 'string' && v.endsWith(arg);
    if (isPlainObject(arg)) {
      const keys = Object.keys(arg);
      const inner = arg['equals-ignore-case'];
      if (keys.length !== 1 || keys[0] !== 'equals-ignore-case')
        return this.problem(
          path,
          `${op} takes a string or {"equals-ignore-case": string}; found ${keys.map((k) => `"${k}"`).join(', ') || 'an empty object'}`,
        );
      if (typeof inner !== 'string')
        return this.problem(
          childPath(path, 'equals-ignore-case'),
          `equals-ignore-case takes a string, not ${describe(inner)}`,
        );
      const lower = inner.toLowerCase();
      return op === 'prefix'
        ? (v) => typeof v === 'string' && v.toLowerCase().startsWith(lower)
        : (v) => typeof v === 'string' && v.toLowerCase().endsWith(lower);
    }
    return this.problem(path, `${op} takes a string or {"equals-ignore-case": string}, not ${describe(arg)}`);
  }

  private wildcard(arg: unknown, path: string): ((value: string) => boolean) | null {
    if (typeof arg !== 'string') return this.problem(path, `wildcard takes a string, not ${describe(arg)}`);
    const segments = parseWildcard(arg);
    return typeof segments === 'string' ? this.problem(path, segments) : wildcardTest(segments);
  }

  private anythingBut(arg: unknown, path: string): LeafTest | null {
    if (typeof arg === 'string') return (v) => v !== arg;
    if (typeof arg === 'number') {
      const excluded = this.numericValue(arg, path);
      return excluded === null ? null : anythingButNumbers([excluded]);
    }
    if (Array.isArray(arg)) {
      if (arg.length === 0) return this.problem(path, 'empty arrays are not allowed');
      if (arg.every((v) => typeof v === 'string')) {
        const excluded = new Set(arg);
        return (v) => typeof v !== 'string' || !excluded.has(v);
      }
      if (arg.every((v) => typeof v === 'number')) {
        const before = this.problems.length;
        arg.forEach((v, i) => this.numericValue(v, `${path}[${i}]`));
        return this.problems.length === before ? anythingButNumbers(arg) : null;
      }
      const kind = typeof arg[0] === 'number' ? 'number' : 'string';
      const bad = arg.findIndex((v) => typeof v !== kind);
      return this.problem(
        `${path}[${bad}]`,
        `an anything-but list holds only strings or only numbers, not ${describe(arg[bad])}`,
      );
    }
    if (isPlainObject(arg)) {
      const keys = Object.keys(arg);
      const form = keys[0];
      if (keys.length !== 1 || !ANYTHING_BUT_FORMS.some((f) => f === form))
        return this.problem(
          path,
          `anything-but takes one of ${ANYTHING_BUT_FORMS.join(', ')} as an object; found ${keys.map((k) => `"${k}"`).join(', ') || 'an empty object'}`,
        );
      return this.anythingButForm(
        form as (typeof ANYTHING_BUT_FORMS)[number],
        arg[form as string],
        childPath(path, form as string),
      );
    }
    return this.problem(
      path,
      `anything-but takes a string, a number, a list of strings or of numbers, or an object; not ${describe(arg)}`,
    );
  }

  private anythingButForm(
    form: (typeof ANYTHING_BUT_FORMS)[number],
    arg: unknown,
    path: string,
  ): LeafTest | null {
    const texts = typeof arg === 'string' ? [arg] : arg;
    if (!Array.isArray(texts))
      return this.problem(path, `${form} takes a string or a list of strings, not ${describe(arg)}`);
    if (texts.length === 0) return this.problem(path, 'empty arrays are not allowed');
    const tests: ((v: string) => boolean)[] = [];
    texts.forEach((text: unknown, i) => {
      const at = typeof arg === 'string' ? path : `${path}[${i}]`;
      if (typeof text !== 'string') {
        this.problem(at, `${form} takes strings, not ${describe(text)}`);
      } else if (form === 'wildcard') {
        const test = this.wildcard(text, at);
        if (test !== null) tests.push(test);
      } else if (form === 'equals-ignore-case') {
        const lower = text.toLowerCase();
        tests.push((v) => v.toLowerCase() === lower);
      } else if (text === '') {
        this.problem(at, `an empty ${form} is not allowed in anything-but`);
      } else {
        tests.push(form === 'prefix' ? (v) => v.startsWith(text) : (v) => v.endsWith(text));
      }
    });
    if (tests.length !== texts.length) return null;
    // Only strings can be excluded by these forms; anything-but matches every other leaf.
    return (v) => typeof v !== 'string' || !tests.some((t) => t(v));
  }

  /** A number usable by `numeric` or numeric anything-but: within ±5e9 (the guide's limit). */
  private numericValue(value: unknown, path: string): number | null {
    if (typeof value !== 'number' || !Number.isFinite(value))
      return this.problem(path, `must be a number, not ${describe(value)}`);
    if (!inNumericRange(value))
      return this.problem(path, `${value} is outside the numeric range -5.0e9 to +5.0e9`);
    return value;
  }

  /** `["=", n]`, `["<" | "<=" | ">" | ">=", n]` or `[">" | ">=", low, "<" | "<=", high]`. */
  private numeric(arg: unknown, path: string): LeafTest | null {
    if (!Array.isArray(arg))
      return this.problem(path, `numeric takes an array such as [">", 0, "<=", 5], not ${describe(arg)}`);
    if (arg.length === 0) return this.problem(path, 'empty arrays are not allowed');
    const op1 = this.numericOperator(arg[0], `${path}[0]`);
    if (op1 === null) return null;
    if (arg.length < 2) return this.problem(`${path}[1]`, `a number must follow "${op1}"`);
    const n1 = this.numericValue(arg[1], `${path}[1]`);
    if (n1 === null) return null;
    if (arg.length === 2) return numericTest(op1, n1);
    if (op1 !== '>' && op1 !== '>=')
      return this.problem(
        `${path}[2]`,
        `only a lower bound (">" or ">=") may be followed by an upper bound ("<" or "<="); "${op1}" must be the last condition`,
      );
    const op2 = this.numericOperator(arg[2], `${path}[2]`);
    if (op2 === null) return null;
    if (op2 !== '<' && op2 !== '<=')
      return this.problem(`${path}[2]`, `the second condition of a range must be "<" or "<=", not "${op2}"`);
    if (arg.length < 4) return this.problem(`${path}[3]`, `a number must follow "${op2}"`);
    const n2 = this.numericValue(arg[3], `${path}[3]`);
    if (n2 === null) return null;
    if (arg.length > 4)
      return this.problem(`${path}[4]`, 'too many elements in a numeric range (at most two conditions)');
    if (n1 >= n2) return this.problem(path, `the lower bound ${n1} must be less than the upper bound ${n2}`);
    const low = numericTest(op1, n1);
    const high = numericTest(op2, n2);
    return (v) => low(v) && high(v);
  }

  private numericOperator(value: unknown, path: string): string | null {
    if (typeof value === 'string' && NUMERIC_OPERATORS.has(value)) return value;
    return this.problem(
      path,
      `unrecognized numeric operator ${describe(value)} (expected =, <, <=, > or >=)`,
    );
  }
}

function numericTest(op: string, bound: number): LeafTest {
  const b = micros(bound);
  const ok = (v: Leaf): v is number => typeof v === 'number' && inNumericRange(v);
  switch (op) {
    case '=':
      return (v) => ok(v) && micros(v) === b;
    case '<':
      return (v) => ok(v) && micros(v) < b;
    case '<=':
      return (v) => ok(v) && micros(v) <= b;
    case '>':
      return (v) => ok(v) && micros(v) > b;
    default:
      return (v) => ok(v) && micros(v) >= b;
  }
}

function anythingButNumbers(excluded: readonly number[]): LeafTest {
  const keys = new Set(excluded.map(micros));
  return (v) => typeof v !== 'number' || !inNumericRange(v) || !keys.has(micros(v));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
