/*
 * EventBridge event-pattern semantics, as the Amazon EventBridge User Guide documents them. Each
 * table cites the page (and section) its pattern and events come from; tables marked "edge" pin
 * behaviour the guide leaves open (the choices are listed at the top of src/events/EventPattern.ts).
 *
 *   [patterns]  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 *   [syntax]    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
 *   [arrays]    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
 *   [null]      https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
 *   [operators] https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 *               (formerly "Content filtering in Amazon EventBridge event patterns",
 *               https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CallsightError } from '../../src/platform/errors.js';
import { compileEventPattern, EventPatternError } from '../../src/events/EventPattern.js';

interface MatchCase {
  readonly name: string;
  readonly pattern: unknown;
  readonly match?: readonly unknown[];
  readonly noMatch?: readonly unknown[];
}

function runMatchTable(cases: readonly MatchCase[]): void {
  for (const c of cases) {
    test(c.name, () => {
      const compiled = compileEventPattern(c.pattern);
      for (const event of c.match ?? [])
        assert.equal(compiled.matches(event), true, `should match ${JSON.stringify(event)}`);
      for (const event of c.noMatch ?? [])
        assert.equal(compiled.matches(event), false, `should not match ${JSON.stringify(event)}`);
    });
  }
}

/** The EC2 event of [patterns]. */
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};
const withDetail = (detail: unknown): Record<string, unknown> => ({ ...ec2Event, detail });
const withTop = (fields: Record<string, unknown>): Record<string, unknown> => ({ ...ec2Event, ...fields });

describe('[patterns] and [syntax]: fields are AND, a field array is OR, strings are exact', () => {
  runMatchTable([
    {
      // [patterns] "selects all Amazon EC2 instance-termination events"
      name: 'the EC2 instance-termination pattern',
      pattern: {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['terminated'] },
      },
      match: [ec2Event],
      noMatch: [
        withDetail({ 'instance-id': 'i-1234567890abcdef0', state: 'running' }),
        withTop({ source: 'aws.fargate' }),
        withTop({ 'detail-type': 'EC2 Spot Instance Interruption Warning' }),
        { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' },
      ],
    },
    {
      // [syntax] Matching event values: "either aws.ec2 or aws.fargate"
      name: 'an array of alternatives',
      pattern: { source: ['aws.ec2', 'aws.fargate'] },
      match: [ec2Event, withTop({ source: 'aws.fargate' })],
      noMatch: [withTop({ source: 'aws.ecs' }), { detail: {} }],
    },
    {
      // [syntax] Considerations: "exact character-by-character matching without case-folding or any
      // other string normalization"
      name: 'strings are compared without case folding or normalisation',
      pattern: { source: ['aws.ec2'] },
      match: [withTop({ source: 'aws.ec2' })],
      noMatch: [
        withTop({ source: 'AWS.EC2' }),
        withTop({ source: 'aws.ec2 ' }),
        withTop({ source: ' aws.ec2' }),
      ],
    },
    {
      // [syntax] Considerations: EventBridge ignores the fields of the event the pattern does not name
      name: 'fields the pattern does not name are ignored',
      pattern: { detail: { state: ['terminated'] } },
      match: [ec2Event, { detail: { state: 'terminated', extra: { deep: [1, 2, 3] } } }],
    },
    {
      // [operators] Complex example, note: "if you include a key more than once the last reference
      // will be the one used to evaluate events" (JSON text, as PutRule receives it)
      name: 'a repeated key: the last one wins',
      pattern: '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}',
      match: [withDetail({ location: 'eu-west' }), withDetail({ location: 'us-west' })],
      noMatch: [withDetail({ location: 'us-east' })],
    },
    {
      // Callsight's own seed rule (src/events/RuleConfig.ts), on a Chime streaming-status event
      name: 'the Chime ALL_STARTED rule',
      pattern: {
        source: ['aws.chime'],
        'detail-type': ['Chime VoiceConnector Streaming Status'],
        detail: { streamingStatus: ['ALL_STARTED'] },
      },
      match: [
        {
          source: 'aws.chime',
          'detail-type': 'Chime VoiceConnector Streaming Status',
          detail: { streamingStatus: 'ALL_STARTED', callId: 'c-1', voiceConnectorId: 'vc' },
        },
      ],
      noMatch: [
        {
          source: 'aws.chime',
          'detail-type': 'Chime VoiceConnector Streaming Status',
          detail: { streamingStatus: 'STARTED', callId: 'c-1' },
        },
      ],
    },
  ]);
});

describe('[arrays] matching on multiple field values', () => {
  runMatchTable([
    {
      // [arrays] "matches ... because the first item in the event pattern array matches the second item
      // in the event array"
      name: 'resources: a non-empty intersection of pattern and event arrays',
      pattern: {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
        ],
      },
      match: [
        {
          resources: [
            'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
            'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          ],
        },
        { resources: 'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f' },
      ],
      noMatch: [
        {
          resources: [
            'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          ],
        },
        { resources: [] },
      ],
    },
  ]);
});

describe('[null] null values and empty strings', () => {
  // [null] the Auto Scaling event with an empty eventVersion and a null responseElements
  const event = {
    version: '0',
    id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
    'detail-type': 'EC2 Instance Launch Successful',
    source: 'aws.autoscaling',
    account: '123456789012',
    time: '2015-11-11T21:31:47Z',
    region: 'us-east-1',
    resources: [],
    detail: { eventVersion: '', responseElements: null },
  };
  runMatchTable([
    {
      name: 'an empty string matches [""]',
      pattern: { detail: { eventVersion: [''] } },
      match: [event],
      noMatch: [
        { ...event, detail: { eventVersion: null } },
        { ...event, detail: {} },
      ],
    },
    {
      name: 'null matches [null]',
      pattern: { detail: { responseElements: [null] } },
      match: [event],
      // "Null values and empty strings are not interchangeable in pattern matching"
      noMatch: [
        { ...event, detail: { responseElements: '' } },
        { ...event, detail: {} },
      ],
    },
    {
      // [operators] summary table: "Null — UserID is null" and "Empty — LastName is empty"
      name: 'UserID is null; LastName is empty',
      pattern: { UserID: [null], LastName: [''] },
      match: [{ UserID: null, LastName: '' }],
      noMatch: [
        { UserID: 'null', LastName: '' },
        { LastName: '' },
        { UserID: null, LastName: ' ' },
        { UserID: null },
      ],
    },
  ]);
});

describe('[operators] summary table, one row each', () => {
  runMatchTable([
    {
      name: 'And: Location is "New York" and Day is "Monday"',
      pattern: { Location: ['New York'], Day: ['Monday'] },
      match: [{ Location: 'New York', Day: 'Monday' }],
      noMatch: [{ Location: 'New York', Day: 'Tuesday' }, { Location: 'New York' }, { Day: 'Monday' }],
    },
    {
      name: 'Anything-but: state is any value besides "initializing"',
      pattern: { state: [{ 'anything-but': 'initializing' }] },
      match: [{ state: 'running' }, { state: 'INITIALIZING' }],
      noMatch: [{ state: 'initializing' }],
    },
    {
      name: 'Anything-but (begins with): Region is not in the US',
      pattern: { Region: [{ 'anything-but': { prefix: 'us-' } }] },
      match: [{ Region: 'eu-west-1' }, { Region: 'US-east-1' }],
      noMatch: [{ Region: 'us-east-1' }, { Region: 'us-' }],
    },
    {
      name: 'Anything-but (ends with): FileName does not end with .png',
      pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      match: [{ FileName: 'photo.jpg' }, { FileName: 'photo.png.bak' }],
      noMatch: [{ FileName: 'photo.png' }],
    },
    {
      name: 'Anything-but (ignore case): state is not "initializing" in any casing',
      pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      match: [{ state: 'running' }],
      noMatch: [{ state: 'initializing' }, { state: 'INITIALIZING' }, { state: 'Initializing' }],
    },
    {
      name: 'Anything-but using a wildcard: FilePath does not include /lib/',
      pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      match: [{ FilePath: '/usr/bin/env' }, { FilePath: '/usr/library' }],
      noMatch: [{ FilePath: '/usr/lib/node' }, { FilePath: 'a/lib/' }],
    },
    {
      name: 'Begins with: Region is in the US',
      pattern: { Region: [{ prefix: 'us-' }] },
      match: [{ Region: 'us-east-1' }, { Region: 'us-' }],
      noMatch: [{ Region: 'eu-west-1' }, { Region: 'US-EAST-1' }, { Region: 'aus-east' }],
    },
    {
      name: 'Begins with (ignore case): service starts with "eventb"',
      pattern: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] },
      match: [{ service: 'EventBridge' }, { service: 'EVENTBRIDGE' }, { service: 'eventb' }],
      noMatch: [{ service: 'Bridge' }, { service: 'event' }],
    },
    {
      name: 'Equals: Name is "Alice"',
      pattern: { Name: ['Alice'] },
      match: [{ Name: 'Alice' }],
      noMatch: [{ Name: 'alice' }, { Name: 'Alice ' }],
    },
    {
      name: 'Equals (ignore case): Name is "Alice"',
      pattern: { Name: [{ 'equals-ignore-case': 'alice' }] },
      match: [{ Name: 'Alice' }, { Name: 'ALICE' }, { Name: 'alice' }],
      noMatch: [{ Name: 'Alicia' }, { Name: 'alice ' }],
    },
    {
      name: 'Ends with: FileName ends with .png',
      pattern: { FileName: [{ suffix: '.png' }] },
      match: [{ FileName: 'image.png' }, { FileName: '.png' }],
      noMatch: [{ FileName: 'image.PNG' }, { FileName: 'image.png.jpg' }],
    },
    {
      name: 'Ends with (ignore case): service ends with "tbridge"',
      pattern: { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] },
      match: [{ service: 'EventBridge' }, { service: 'EVENTBRIDGE' }],
      noMatch: [{ service: 'EventBridges' }],
    },
    {
      name: 'Exists: ProductName exists',
      pattern: { ProductName: [{ exists: true }] },
      match: [{ ProductName: 'Widget' }],
      noMatch: [{ Product: 'Widget' }],
    },
    {
      name: 'Not exists: ProductName does not exist',
      pattern: { ProductName: [{ exists: false }] },
      match: [{ Product: 'Widget' }],
      noMatch: [{ ProductName: 'Widget' }],
    },
    {
      name: 'Not: Weather is anything but "Raining"',
      pattern: { Weather: [{ 'anything-but': ['Raining'] }] },
      match: [{ Weather: 'Sunny' }],
      noMatch: [{ Weather: 'Raining' }],
    },
    {
      name: 'Numeric (equals): Price is 100',
      pattern: { Price: [{ numeric: ['=', 100] }] },
      match: [{ Price: 100 }, { Price: 1e2 }],
      noMatch: [{ Price: 101 }, { Price: '100' }],
    },
    {
      name: 'Numeric (range): Price is more than 10 and at most 20',
      pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] },
      match: [{ Price: 20 }, { Price: 10.5 }],
      noMatch: [{ Price: 10 }, { Price: 20.5 }, { Price: '15' }],
    },
    {
      name: 'Or: PaymentType is "Credit" or "Debit"',
      pattern: { PaymentType: ['Credit', 'Debit'] },
      match: [{ PaymentType: 'Credit' }, { PaymentType: 'Debit' }],
      noMatch: [{ PaymentType: 'Cash' }],
    },
    {
      name: 'Or (multiple fields): Location is "New York", or Day is "Monday"',
      pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
      match: [
        { Location: 'New York', Day: 'Sunday' },
        { Location: 'Paris', Day: 'Monday' },
        { Location: 'New York', Day: 'Monday' },
      ],
      noMatch: [{ Location: 'Paris', Day: 'Sunday' }, {}],
    },
    {
      name: 'Wildcard: any .png file within the folder "dir"',
      pattern: { FileName: [{ wildcard: 'dir/*.png' }] },
      match: [{ FileName: 'dir/image.png' }, { FileName: 'dir/sub/image.png' }, { FileName: 'dir/.png' }],
      noMatch: [
        { FileName: 'dir/image.jpg' },
        { FileName: 'other/image.png' },
        { FileName: 'dir/image.png.bak' },
      ],
    },
  ]);
});

describe('[operators] prefix and suffix matching', () => {
  runMatchTable([
    {
      // "would match any event where the time field started with 2017-10-02"
      name: 'prefix on time',
      pattern: { time: [{ prefix: '2017-10-02' }] },
      match: [withTop({ time: '2017-10-02T18:43:48Z' })],
      noMatch: [withTop({ time: '2017-10-03T18:43:48Z' }), withTop({ time: 20171002 })],
    },
    {
      // Prefix matching while ignoring case: "EventB, but also EVENTB, eventb"
      name: 'prefix with equals-ignore-case',
      pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      match: [
        withDetail({ service: 'EventBridge' }),
        withDetail({ service: 'EVENTBRIDGE' }),
        withDetail({ service: 'eventbus' }),
      ],
      noMatch: [withDetail({ service: 'Event' }), withDetail({ service: 'MyEventBridge' })],
    },
    {
      // Suffix matching: "the FileName field ends with the .png file extension"
      name: 'suffix on FileName',
      pattern: { FileName: [{ suffix: '.png' }] },
      match: [{ FileName: 'cat.png' }],
      noMatch: [{ FileName: 'cat.PNG' }, { FileName: 'cat.gif' }],
    },
    {
      // Suffix matching while ignoring case: ".png, but also .PNG"
      name: 'suffix with equals-ignore-case',
      pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
      match: [
        withDetail({ FileName: 'cat.png' }),
        withDetail({ FileName: 'cat.PNG' }),
        withDetail({ FileName: 'c.PnG' }),
      ],
      noMatch: [withDetail({ FileName: 'cat.jpg' }), withDetail({ FileName: 'png' })],
    },
  ]);
});

describe('[operators] anything-but matching', () => {
  runMatchTable([
    {
      name: 'a single string',
      pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
      match: [withDetail({ state: 'pending' }), withDetail({ state: 'Initializing' })],
      noMatch: [withDetail({ state: 'initializing' })],
    },
    {
      name: 'a single number',
      pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
      match: [withDetail({ 'x-limit': 124 }), withDetail({ 'x-limit': 0 })],
      noMatch: [withDetail({ 'x-limit': 123 }), withDetail({ 'x-limit': 123.0 })],
    },
    {
      name: 'a list of strings',
      pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      match: [withDetail({ state: 'running' })],
      noMatch: [withDetail({ state: 'stopped' }), withDetail({ state: 'overloaded' })],
    },
    {
      name: 'a list of numbers',
      pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
      match: [withDetail({ 'x-limit': 150 }), withDetail({ 'x-limit': 301.8 })],
      noMatch: [
        withDetail({ 'x-limit': 100 }),
        withDetail({ 'x-limit': 200 }),
        withDetail({ 'x-limit': 300 }),
      ],
    },
    {
      name: 'a prefix: "doesn\'t have the prefix init"',
      pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      match: [withDetail({ state: 'running' }), withDetail({ state: 'post-init' })],
      noMatch: [withDetail({ state: 'initializing' }), withDetail({ state: 'init' })],
    },
    {
      name: 'a suffix',
      pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } },
      match: [withDetail({ FileName: 'file.txt.bak' })],
      noMatch: [withDetail({ FileName: 'file.txt' })],
    },
    {
      name: 'equals-ignore-case, single and list',
      pattern: {
        detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] },
      },
      match: [withDetail({ state: 'pending' })],
      noMatch: [withDetail({ state: 'STOPPED' }), withDetail({ state: 'Initializing' })],
    },
    {
      name: 'a wildcard list',
      pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } },
      match: [withDetail({ FilePath: '/usr/share/doc' })],
      noMatch: [withDetail({ FilePath: '/usr/lib/x' }), withDetail({ FilePath: '/usr/bin/x' })],
    },
    {
      name: 'a prefix list',
      pattern: { detail: { state: [{ 'anything-but': { prefix: ['init', 'test'] } }] } },
      match: [withDetail({ state: 'post-init' })],
      noMatch: [withDetail({ state: 'initializing' }), withDetail({ state: 'testing' })],
    },
  ]);
});

describe('[operators] numeric matching', () => {
  runMatchTable([
    {
      // "only matches events that are true for all fields"
      name: 'the documented c-count, d-count and x-limit pattern',
      pattern: {
        detail: {
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ numeric: ['=', 3.018e2] }],
        },
      },
      match: [withDetail({ 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 })],
      noMatch: [
        withDetail({ 'c-count': 0, 'd-count': 3, 'x-limit': 301.8 }),
        withDetail({ 'c-count': 6, 'd-count': 3, 'x-limit': 301.8 }),
        withDetail({ 'c-count': 5, 'd-count': 10, 'x-limit': 301.8 }),
        withDetail({ 'c-count': 5, 'd-count': 3, 'x-limit': 301.81 }),
        withDetail({ 'c-count': 5, 'd-count': 3, 'x-limit': '301.8' }),
        withDetail({ 'c-count': 5, 'd-count': 3 }),
      ],
    },
    {
      name: 'each operator alone',
      pattern: {
        lt: [{ numeric: ['<', 0] }],
        le: [{ numeric: ['<=', 0] }],
        gt: [{ numeric: ['>', 0] }],
        ge: [{ numeric: ['>=', 0] }],
      },
      match: [{ lt: -1, le: 0, gt: 0.5, ge: 0 }],
      noMatch: [
        { lt: 0, le: 0, gt: 0.5, ge: 0 },
        { lt: -1, le: 0.5, gt: 0.5, ge: 0 },
        { lt: -1, le: 0, gt: 0, ge: 0 },
        { lt: -1, le: 0, gt: 0.5, ge: -0.5 },
      ],
    },
    {
      // "limited to values between -5.0e9 and +5.0e9 inclusive"
      name: 'the documented range limits apply to event values',
      pattern: { n: [{ numeric: ['>=', -5e9, '<=', 5e9] }] },
      match: [{ n: 5e9 }, { n: -5e9 }, { n: 0 }],
      noMatch: [{ n: 5.000001e9 }, { n: -6e9 }, { n: 1e300 }],
    },
    {
      // "... with 15 digits of precision, or six digits to the right of the decimal point"
      name: 'six digits to the right of the decimal point',
      pattern: { n: [{ numeric: ['=', 0.1] }], m: [{ numeric: ['>', 1] }] },
      match: [
        { n: 0.1, m: 1.000001 },
        { n: 0.1000001, m: 2 },
      ],
      noMatch: [
        { n: 0.100001, m: 2 },
        { n: 0.1, m: 1.0000001 },
      ],
    },
  ]);
});

describe('[operators] IP address matching', () => {
  runMatchTable([
    {
      // "IP addresses that start with 10.0.0 and end with a number between 0 and 255"
      name: 'IPv4 cidr',
      pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
      match: [
        withDetail({ sourceIPAddress: '10.0.0.0' }),
        withDetail({ sourceIPAddress: '10.0.0.33' }),
        withDetail({ sourceIPAddress: '10.0.0.255' }),
      ],
      noMatch: [
        withDetail({ sourceIPAddress: '10.0.1.0' }),
        withDetail({ sourceIPAddress: '10.0.0.256' }),
        withDetail({ sourceIPAddress: '10.0.0' }),
        withDetail({ sourceIPAddress: '010.0.0.1' }),
        withDetail({ sourceIPAddress: 167772161 }),
        withDetail({ sourceIPAddress: 'not-an-ip' }),
        withDetail({ sourceIPAddress: '::ffff:10.0.0.1' }),
      ],
    },
    {
      // "You can use IP address matching for IPv4 and IPv6 addresses"
      name: 'IPv6 cidr',
      pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } },
      match: [
        withDetail({ sourceIPAddress: '2001:0db8:1234:1a00:0000:0000:0000:0000' }),
        withDetail({ sourceIPAddress: '2001:db8:1234:1a00::1' }),
        withDetail({ sourceIPAddress: '2001:DB8:1234:1A00:FFFF:FFFF:FFFF:FFFF' }),
        withDetail({ sourceIPAddress: '2001:db8:1234:1a00:0:0:10.1.2.3' }),
      ],
      noMatch: [
        withDetail({ sourceIPAddress: '2001:0db8:123f:1a01:0000:0000:0000:0000' }),
        withDetail({ sourceIPAddress: '2001:db8:1234:1a01::' }),
        withDetail({ sourceIPAddress: '2001:db8:1234:1a00::1::2' }),
        withDetail({ sourceIPAddress: '10.0.0.1' }),
      ],
    },
    {
      name: 'edge: prefix lengths that split a group or byte, and /0',
      pattern: {
        a: [{ cidr: '192.168.0.0/20' }],
        b: [{ cidr: 'fe80::/10' }],
        c: [{ cidr: '0.0.0.0/0' }],
        d: [{ cidr: '10.0.0.1/32' }],
      },
      match: [{ a: '192.168.15.255', b: 'febf::1', c: '255.255.255.255', d: '10.0.0.1' }],
      noMatch: [
        { a: '192.168.16.0', b: 'febf::1', c: '1.2.3.4', d: '10.0.0.1' },
        { a: '192.168.1.1', b: 'fec0::1', c: '1.2.3.4', d: '10.0.0.1' },
        { a: '192.168.1.1', b: 'fe80::', c: '::1', d: '10.0.0.1' },
        { a: '192.168.1.1', b: 'fe80::', c: '1.2.3.4', d: '10.0.0.2' },
      ],
    },
    {
      name: 'host bits in the CIDR are ignored, IPv4 and IPv6',
      pattern: { v4: [{ cidr: '10.0.0.1/24' }], v6: [{ cidr: '2001:db8::1/32' }] },
      match: [{ v4: '10.0.0.200', v6: '2001:db8:ffff::1' }],
      noMatch: [
        { v4: '10.0.1.1', v6: '2001:db8:ffff::1' },
        { v4: '10.0.0.200', v6: '2001:db9::' },
      ],
    },
    {
      name: 'IPv6: ::/0 and ::1/128, in any spelling; never an IPv4 value',
      pattern: { any: [{ cidr: '::/0' }], loopback: [{ cidr: '::1/128' }] },
      match: [
        { any: '2001:db8::', loopback: '::1' },
        { any: '::', loopback: '0:0:0:0:0:0:0:1' },
        { any: 'FE80::ABCD', loopback: '0000::0001' },
      ],
      noMatch: [
        { any: '1.2.3.4', loopback: '::1' },
        { any: '::', loopback: '::2' },
        { any: '::', loopback: '127.0.0.1' },
      ],
    },
    {
      name: 'IPv6: the IPv4-mapped block matches mapped addresses, not plain IPv4',
      pattern: { ip: [{ cidr: '::ffff:0:0/96' }] },
      match: [{ ip: '::ffff:10.0.0.1' }, { ip: '::ffff:a00:1' }],
      noMatch: [{ ip: '10.0.0.1' }, { ip: '::fffe:a00:1' }],
    },
    {
      name: 'IPv6: a value with a zone id, or malformed, is not an address',
      pattern: { ip: [{ cidr: 'fe80::/10' }] },
      match: [{ ip: 'fe80::1' }],
      noMatch: [
        { ip: 'fe80::1%eth0' },
        { ip: 'fe80:::1' },
        { ip: 'fe80::1::2' },
        { ip: 'fe80::12345' },
        { ip: '[fe80::1]' },
        { ip: 'fe80::1/64' },
      ],
    },
  ]);
});

describe('[operators] exists matching', () => {
  runMatchTable([
    {
      // "matches any event that has a detail.state field"; it does NOT match an event whose detail
      // has only a c-count object
      name: 'exists: true',
      pattern: { detail: { state: [{ exists: true }] } },
      match: [withDetail({ 'instance-id': 'i-abcd1111', state: 'pending' })],
      noMatch: [withDetail({ 'c-count': { c1: 100 } })],
    },
    {
      // "matches any event that does not have a detail.c-count field", and also one where c-count is
      // an object, "because c-count isn't a leaf node"
      name: 'exists: false, and objects are not leaves',
      pattern: { detail: { 'c-count': [{ exists: false }] } },
      match: [
        withDetail({ state: ['initializing', 'running'] }),
        withDetail({ state: ['initializing', 'running'], 'c-count': { c1: 100 } }),
      ],
      noMatch: [withDetail({ 'c-count': 5 }), withDetail({ 'c-count': 'x' })],
    },
    {
      name: 'edge: exists and null, empty arrays and arrays',
      pattern: { yes: [{ exists: true }], no: [{ exists: false }] },
      match: [
        { yes: null, no: [] },
        { yes: ['x'], no: {} },
        { yes: [[], [null]], no: [{}, []] },
      ],
      noMatch: [
        { yes: [], no: [] },
        { yes: {}, no: [] },
        { yes: [{ a: 1 }], no: [] },
        { yes: 'x', no: null },
        { yes: 'x', no: [1] },
      ],
    },
    {
      name: 'edge: exists: false below a missing or leaf intermediate node',
      pattern: { detail: { level1: { level2: { level3: [{ exists: false }] } } } },
      match: [withDetail({ level1: { level2: 'l2 value' } }), withDetail({}), { source: 'x' }],
      noMatch: [withDetail({ level1: { level2: { level3: 'l3 value' } } })],
    },
    {
      name: 'edge: exists alongside exact values (OR)',
      pattern: { reason: ['timeout', { exists: false }] },
      match: [{ reason: 'timeout' }, {}],
      noMatch: [{ reason: 'hangup' }],
    },
  ]);
});

describe('[operators] equals-ignore-case matching', () => {
  runMatchTable([
    {
      name: 'detail-type in any casing',
      pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
      match: [ec2Event, withTop({ 'detail-type': 'EC2 INSTANCE STATE-CHANGE NOTIFICATION' })],
      noMatch: [
        withTop({ 'detail-type': 'EC2 Instance State-change Notifications' }),
        withTop({ 'detail-type': 1 }),
      ],
    },
    {
      name: 'edge: non-ASCII letters fold too',
      pattern: {
        city: [{ 'equals-ignore-case': 'ÉCOLE' }],
        word: [{ prefix: { 'equals-ignore-case': 'STRASSE' } }],
      },
      match: [{ city: 'école', word: 'Strasse 5' }],
      noMatch: [{ city: 'ecole', word: 'Strasse 5' }],
    },
  ]);
});

describe('[operators] wildcard matching', () => {
  runMatchTable([
    {
      name: '"*" matches zero or more characters, including "/"',
      pattern: { s: [{ wildcard: 'Simple*Service' }] },
      match: [{ s: 'SimpleService' }, { s: 'SimpleQueueService' }, { s: 'Simple/Notification/Service' }],
      noMatch: [{ s: 'SimpleServices' }, { s: 'simpleService' }, { s: 'Simple' }],
    },
    {
      name: 'several wildcards, each segment in order',
      pattern: { arn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
      match: [{ arn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' }],
      noMatch: [
        { arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' },
        { arn: 'arn:aws:events:us-east-1:1:rule/x' },
      ],
    },
    {
      name: 'segments must not overlap (e.g. "a*ab" needs two a\'s)',
      pattern: { s: [{ wildcard: 'a*ab' }], t: [{ wildcard: '*aba*aba*' }] },
      match: [
        { s: 'aab', t: 'abaaba' },
        { s: 'axxab', t: 'xabaxaba' },
      ],
      noMatch: [
        { s: 'ab', t: 'abaaba' },
        { s: 'aab', t: 'ababa' },
      ],
    },
    {
      // "The string \* represents the literal * character; the string \\ represents the literal \"
      name: 'escaped "*" and "\\" are literals',
      pattern: { star: [{ wildcard: 'value\\*end' }], slash: [{ wildcard: 'a\\\\b*' }] },
      match: [
        { star: 'value*end', slash: 'a\\b' },
        { star: 'value*end', slash: 'a\\bcd' },
      ],
      noMatch: [
        { star: 'valueXend', slash: 'a\\b' },
        { star: 'value*end', slash: 'ab' },
      ],
    },
    {
      name: 'edge: "*" alone matches every string, "" only the empty string, and neither numbers',
      pattern: { any: [{ wildcard: '*' }], empty: [{ wildcard: '' }] },
      match: [
        { any: '', empty: '' },
        { any: 'anything', empty: '' },
      ],
      noMatch: [{ any: 5, empty: '' }, { any: 'x', empty: 'x' }, { empty: '' }],
    },
    {
      name: 'edge: "?" has no special meaning',
      pattern: { s: [{ wildcard: 'file?.txt' }] },
      match: [{ s: 'file?.txt' }],
      noMatch: [{ s: 'file1.txt' }],
    },
  ]);
});

describe('[operators] complex examples and $or', () => {
  runMatchTable([
    {
      // Complex example with multiple matching
      name: 'anything-but combined with numeric',
      pattern: {
        time: [{ prefix: '2017-10-02' }],
        detail: {
          state: [{ 'anything-but': 'initializing' }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ 'anything-but': [100, 200, 300] }],
        },
      },
      match: [
        withTop({
          time: '2017-10-02T16:24:49Z',
          detail: { state: 'running', 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 },
        }),
      ],
      noMatch: [
        withTop({
          time: '2017-10-02T16:24:49Z',
          detail: { state: 'initializing', 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 },
        }),
        withTop({
          time: '2017-10-02T16:24:49Z',
          detail: { state: 'running', 'c-count': 5, 'd-count': 3, 'x-limit': 200 },
        }),
        withTop({
          time: '2017-10-03T16:24:49Z',
          detail: { state: 'running', 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 },
        }),
      ],
    },
    {
      // Complex example with $or matching
      name: '$or of numeric conditions inside detail',
      pattern: {
        detail: {
          $or: [
            { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
            { 'd-count': [{ numeric: ['<', 10] }] },
            { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
          ],
        },
      },
      match: [
        withDetail({ 'c-count': 0, 'd-count': 0, 'x-limit': 9.018e2 }),
        withDetail({ 'c-count': 3, 'd-count': 10, 'x-limit': 0 }),
        withDetail({ 'x-limit': 301.8 }),
      ],
      noMatch: [withDetail({ 'c-count': 0, 'd-count': 10, 'x-limit': 9.018e2 }), withDetail({})],
    },
    {
      name: 'edge: $or beside plain fields is ANDed with them',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      },
      match: [
        { source: 'aws.cloudwatch', metricName: 'ReadLatency' },
        { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
      ],
      noMatch: [
        { source: 'aws.ec2', metricName: 'ReadLatency' },
        { source: 'aws.cloudwatch', namespace: 'AWS/S3' },
      ],
    },
    {
      name: 'edge: nested $or with AND inside a branch and operators at the leaves',
      pattern: {
        source: ['callsight'],
        $or: [
          { detail: { status: [{ prefix: 'END' }] } },
          {
            'detail-type': [{ suffix: 'Status' }],
            detail: { $or: [{ count: [{ numeric: ['>', 10] }] }, { ip: [{ cidr: '192.168.0.0/16' }] }] },
          },
        ],
      },
      match: [
        { source: 'callsight', detail: { status: 'ENDED' } },
        { source: 'callsight', 'detail-type': 'Call Status', detail: { count: 11 } },
        { source: 'callsight', 'detail-type': 'Call Status', detail: { ip: '192.168.7.1' } },
      ],
      noMatch: [
        { source: 'callsight', 'detail-type': 'Call Status', detail: { count: 10, ip: '10.0.0.1' } },
        { source: 'callsight', 'detail-type': 'Call Update', detail: { count: 11 } },
        { source: 'other', detail: { status: 'ENDED' } },
      ],
    },
    {
      name: 'edge: a $or branch may hold exists: false',
      pattern: { $or: [{ error: [{ exists: false }] }, { error: [{ 'anything-but': 'fatal' }] }] },
      match: [{}, { error: 'minor' }],
      noMatch: [{ error: 'fatal' }],
    },
  ]);
});

describe('edge: arrays in events', () => {
  runMatchTable([
    {
      name: 'exact values, nested arrays and objects inside arrays',
      pattern: { tags: ['vip'] },
      match: [{ tags: ['x', 'vip'] }, { tags: [['vip']] }, { tags: 'vip' }],
      noMatch: [{ tags: [] }, { tags: [{ vip: true }] }, { tags: ['VIP'] }],
    },
    {
      name: 'operators test each element',
      pattern: { n: [{ numeric: ['>', 5] }], s: [{ prefix: 'sip:' }] },
      match: [{ n: [1, 2, 10], s: ['tel:1', 'sip:a'] }],
      noMatch: [
        { n: [1, 2], s: ['sip:a'] },
        { n: [10], s: ['tel:1'] },
      ],
    },
    {
      name: 'anything-but matches when any element is not excluded',
      pattern: { s: [{ 'anything-but': 'a' }] },
      match: [{ s: ['a', 'b'] }, { s: [null] }],
      noMatch: [{ s: ['a', 'a'] }, { s: [] }],
    },
    {
      // Objects in an array are matched element by element ("array-consistent")
      name: 'a nested pattern must hold within one array element',
      pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      match: [
        { employees: [{ firstName: 'Anna', lastName: 'Jones' }] },
        { employees: [[{ firstName: 'Anna', lastName: 'Jones' }]] },
      ],
      noMatch: [
        {
          employees: [
            { firstName: 'Anna', lastName: 'Smith' },
            { firstName: 'Peter', lastName: 'Jones' },
          ],
        },
      ],
    },
    {
      name: 'a $or below an array is judged per element too',
      pattern: { participants: { $or: [{ role: ['agent'] }, { muted: [true] }] } },
      match: [
        {
          participants: [
            { role: 'caller', muted: false },
            { role: 'caller', muted: true },
          ],
        },
      ],
      noMatch: [{ participants: [{ role: 'caller', muted: false }] }, { participants: [] }],
    },
  ]);
});

describe('edge: nesting, null vs missing, types and case', () => {
  runMatchTable([
    {
      name: 'deeply nested fields',
      pattern: { detail: { a: { b: { c: ['x'] } } } },
      match: [withDetail({ a: { b: { c: 'x' } } })],
      noMatch: [
        withDetail({ a: { b: 'x' } }),
        withDetail({ a: { c: 'x' } }),
        withDetail({ a: { b: { c: { x: 1 } } } }),
      ],
    },
    {
      name: 'a leaf pattern does not match an object, nor an object pattern a leaf',
      pattern: { detail: { state: ['x'], info: { code: ['y'] } } },
      match: [withDetail({ state: 'x', info: { code: 'y' } })],
      noMatch: [withDetail({ state: { x: 1 }, info: { code: 'y' } }), withDetail({ state: 'x', info: 'y' })],
    },
    {
      name: '[null] needs a null: not missing, not [], not "null"',
      pattern: { v: [null] },
      match: [{ v: null }, { v: [null, 1] }],
      noMatch: [{}, { v: [] }, { v: 'null' }, { v: undefined }],
    },
    {
      name: 'anything-but needs a leaf: null matches, missing and objects do not',
      pattern: { v: [{ 'anything-but': 'initializing' }] },
      match: [{ v: null }, { v: 5 }, { v: false }],
      noMatch: [{}, { v: { a: 1 } }],
    },
    {
      name: 'anything-but forms match leaves of other types',
      pattern: {
        p: [{ 'anything-but': { prefix: 'init' } }],
        w: [{ 'anything-but': { wildcard: '*/dir/*' } }],
      },
      match: [
        { p: 12, w: 123 },
        { p: true, w: null },
      ],
    },
    {
      name: 'numbers written as strings are strings',
      pattern: { n: [{ numeric: ['>=', 0] }], exact: [5], text: ['5'] },
      match: [{ n: 1, exact: 5, text: '5' }],
      noMatch: [
        { n: '1', exact: 5, text: '5' },
        { n: 1, exact: '5', text: '5' },
        { n: 1, exact: 5, text: 5 },
        { n: true, exact: 5, text: '5' },
      ],
    },
    {
      name: 'numeric anything-but does not exclude numeric strings',
      pattern: { n: [{ 'anything-but': [100] }] },
      match: [{ n: '100' }],
      noMatch: [{ n: 100 }],
    },
    {
      name: 'exact numbers compare by value',
      pattern: { n: [300] },
      match: [{ n: 300 }, { n: 3.0e2 }],
      noMatch: [{ n: 300.5 }],
    },
    {
      name: 'booleans are not strings',
      pattern: { b: [true] },
      match: [{ b: true }, { b: [false, true] }],
      noMatch: [{ b: 'true' }, { b: false }, { b: 1 }],
    },
    {
      name: 'keys are not dotted paths, nor inherited properties',
      pattern: { 'a.b': ['x'], constructor: [{ exists: false }] },
      match: [{ 'a.b': 'x' }],
      noMatch: [{ a: { b: 'x' } }, { 'a.b': 'x', constructor: 'y' }],
    },
  ]);
});

describe('compileEventPattern() and CompiledPattern', () => {
  test('accepts the JSON text of a pattern', () => {
    const compiled = compileEventPattern(
      '{"source": ["aws.chime"], "detail": {"callId": [{"exists": true}]}}',
    );
    assert.equal(compiled.matches({ source: 'aws.chime', detail: { callId: 'c-1' } }), true);
    assert.equal(compiled.matches({ source: 'aws.chime', detail: {} }), false);
  });

  test('an event that is not a JSON object never matches', () => {
    const compiled = compileEventPattern({ v: [{ exists: false }] });
    for (const event of [null, undefined, 'text', 5, [], [{}]]) assert.equal(compiled.matches(event), false);
    assert.equal(compiled.matches({}), true);
  });

  test('toJSON() returns a frozen copy that later changes to the input do not reach', () => {
    const pattern = { detail: { state: ['running'] } };
    const compiled = compileEventPattern(pattern);
    pattern.detail.state.push('stopped');
    assert.deepEqual(compiled.toJSON(), { detail: { state: ['running'] } });
    assert.equal(Object.isFrozen(compiled.toJSON()), true);
    assert.equal(compiled.matches({ detail: { state: 'stopped' } }), false);
    assert.equal(JSON.stringify(compiled), '{"detail":{"state":["running"]}}');
  });

  test('compile once, match many times, with the same answers', () => {
    const compiled = compileEventPattern({
      source: ['aws.chime'],
      detail: { $or: [{ callId: [{ prefix: 'c-' }] }, { n: [{ numeric: ['>', 5] }] }] },
    });
    let matched = 0;
    for (let i = 0; i < 10_000; i++) {
      if (
        compiled.matches({
          source: 'aws.chime',
          detail: { callId: i % 2 === 0 ? `c-${i}` : `x-${i}`, n: i % 4 },
        })
      )
        matched++;
    }
    assert.equal(matched, 5_000);
  });
});

interface InvalidCase {
  readonly name: string;
  readonly pattern: unknown;
  readonly path: string;
  readonly reason: RegExp;
}

describe('invalid patterns name the JSON path of the problem', () => {
  const cases: InvalidCase[] = [
    // Structure
    { name: 'a top-level array', pattern: [], path: '$', reason: /must be a JSON object/ },
    { name: 'a top-level string that is not JSON', pattern: '{source:', path: '$', reason: /not valid JSON/ },
    { name: 'a non-plain object', pattern: new Date(0), path: '$', reason: /must be a JSON object/ },
    { name: 'an empty pattern', pattern: {}, path: '$', reason: /empty objects are not allowed/ },
    { name: 'an empty nested object', pattern: { detail: {} }, path: '$.detail', reason: /empty objects/ },
    {
      name: 'an empty value array',
      pattern: { source: [] },
      path: '$.source',
      reason: /empty arrays are not allowed/,
    },
    {
      name: 'a bare value',
      pattern: { source: 'aws.ec2' },
      path: '$.source',
      reason: /must be an object or an array/,
    },
    {
      name: 'a bare number',
      pattern: { detail: { n: 5 } },
      path: '$.detail.n',
      reason: /must be an object or an array/,
    },
    {
      name: 'a nested array',
      pattern: { source: [['a']] },
      path: '$.source[0]',
      reason: /match value must be/,
    },
    {
      name: 'a non-JSON value',
      pattern: { source: [undefined] },
      path: '$.source[0]',
      reason: /match value must be/,
    },
    { name: 'NaN', pattern: { n: [Number.NaN] }, path: '$.n[0]', reason: /not a JSON number/ },
    {
      name: 'a key that needs brackets',
      pattern: { 'detail-type': [{ prefix: 1 }] },
      path: '$["detail-type"][0].prefix',
      reason: /prefix takes a string/,
    },
    // Match expressions
    {
      name: 'an empty match expression',
      pattern: { source: [{}] },
      path: '$.source[0]',
      reason: /empty match expression/,
    },
    {
      name: 'two operators in one object',
      pattern: { source: [{ prefix: 'a', suffix: 'b' }] },
      path: '$.source[0]',
      reason: /only one key allowed/,
    },
    {
      name: 'an unknown operator',
      pattern: { source: [{ contains: 'a' }] },
      path: '$.source[0]',
      reason: /unrecognized match type "contains"/,
    },
    {
      name: 'prefix with a list',
      pattern: { s: [{ prefix: ['a'] }] },
      path: '$.s[0].prefix',
      reason: /prefix takes a string/,
    },
    {
      name: 'prefix with another inner key',
      pattern: { s: [{ prefix: { equals: 'x' } }] },
      path: '$.s[0].prefix',
      reason: /equals-ignore-case/,
    },
    {
      name: 'prefix ignore-case with a number',
      pattern: { s: [{ prefix: { 'equals-ignore-case': 1 } }] },
      path: '$.s[0].prefix["equals-ignore-case"]',
      reason: /takes a string/,
    },
    {
      name: 'suffix with a number',
      pattern: { s: [{ suffix: 5 }] },
      path: '$.s[0].suffix',
      reason: /suffix takes a string/,
    },
    {
      name: 'equals-ignore-case around prefix',
      pattern: { s: [{ 'equals-ignore-case': { prefix: 'ec2' } }] },
      path: '$.s[0]["equals-ignore-case"]',
      reason: /takes a string/,
    },
    {
      name: 'equals-ignore-case with a list',
      pattern: { s: [{ 'equals-ignore-case': ['a', 'b'] }] },
      path: '$.s[0]["equals-ignore-case"]',
      reason: /takes a string/,
    },
    {
      name: 'exists with a string',
      pattern: { s: [{ exists: 'true' }] },
      path: '$.s[0].exists',
      reason: /true or false/,
    },
    // numeric
    {
      name: 'numeric with a string',
      pattern: { n: [{ numeric: '> 5' }] },
      path: '$.n[0].numeric',
      reason: /takes an array/,
    },
    {
      name: 'numeric with an empty array',
      pattern: { n: [{ numeric: [] }] },
      path: '$.n[0].numeric',
      reason: /empty arrays/,
    },
    {
      name: 'numeric with an unknown operator',
      pattern: { n: [{ numeric: ['!=', 5] }] },
      path: '$.n[0].numeric[0]',
      reason: /unrecognized numeric operator/,
    },
    {
      name: 'numeric missing its number',
      pattern: { n: [{ numeric: ['>'] }] },
      path: '$.n[0].numeric[1]',
      reason: /a number must follow/,
    },
    {
      name: 'numeric with a quoted number',
      pattern: { n: [{ numeric: ['>', '5'] }] },
      path: '$.n[0].numeric[1]',
      reason: /must be a number/,
    },
    {
      name: 'numeric upper bound first',
      pattern: { n: [{ numeric: ['<', 10, '>=', 0] }] },
      path: '$.n[0].numeric[2]',
      reason: /lower bound/,
    },
    {
      name: 'numeric "=" followed by more',
      pattern: { n: [{ numeric: ['=', 5, '<', 10] }] },
      path: '$.n[0].numeric[2]',
      reason: /lower bound/,
    },
    {
      name: 'numeric two lower bounds',
      pattern: { n: [{ numeric: ['>', 0, '>', 0] }] },
      path: '$.n[0].numeric[2]',
      reason: /must be "<" or "<="/,
    },
    {
      name: 'numeric range missing its top',
      pattern: { n: [{ numeric: ['>', 0, '<'] }] },
      path: '$.n[0].numeric[3]',
      reason: /a number must follow/,
    },
    {
      name: 'numeric with too many terms',
      pattern: { n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] },
      path: '$.n[0].numeric[4]',
      reason: /too many elements/,
    },
    {
      name: 'numeric bottom above top',
      pattern: { n: [{ numeric: ['>', 10, '<', 5] }] },
      path: '$.n[0].numeric',
      reason: /must be less than the upper bound/,
    },
    {
      name: 'numeric bottom equal to top',
      pattern: { n: [{ numeric: ['>=', 5, '<=', 5] }] },
      path: '$.n[0].numeric',
      reason: /must be less than/,
    },
    {
      name: 'numeric beyond +5e9',
      pattern: { n: [{ numeric: ['<', 6e9] }] },
      path: '$.n[0].numeric[1]',
      reason: /outside the numeric range/,
    },
    {
      name: 'numeric beyond -5e9',
      pattern: { n: [{ numeric: ['>', -5.5e9, '<', 0] }] },
      path: '$.n[0].numeric[1]',
      reason: /outside the numeric range/,
    },
    // anything-but
    {
      name: 'anything-but null',
      pattern: { s: [{ 'anything-but': null }] },
      path: '$.s[0]["anything-but"]',
      reason: /anything-but takes/,
    },
    {
      name: 'anything-but true',
      pattern: { s: [{ 'anything-but': true }] },
      path: '$.s[0]["anything-but"]',
      reason: /anything-but takes/,
    },
    {
      name: 'anything-but empty list',
      pattern: { s: [{ 'anything-but': [] }] },
      path: '$.s[0]["anything-but"]',
      reason: /empty arrays/,
    },
    {
      name: 'anything-but mixed list',
      pattern: { s: [{ 'anything-but': ['a', 1] }] },
      path: '$.s[0]["anything-but"][1]',
      reason: /only strings or only numbers/,
    },
    {
      name: 'anything-but list with null',
      pattern: { s: [{ 'anything-but': ['a', null] }] },
      path: '$.s[0]["anything-but"][1]',
      reason: /only strings or only numbers/,
    },
    {
      name: 'anything-but number beyond 5e9',
      pattern: { s: [{ 'anything-but': [1, 7e9] }] },
      path: '$.s[0]["anything-but"][1]',
      reason: /outside the numeric range/,
    },
    {
      name: 'anything-but empty prefix',
      pattern: { s: [{ 'anything-but': { prefix: '' } }] },
      path: '$.s[0]["anything-but"].prefix',
      reason: /empty prefix/,
    },
    {
      name: 'anything-but empty suffix in a list',
      pattern: { s: [{ 'anything-but': { suffix: ['.txt', ''] } }] },
      path: '$.s[0]["anything-but"].suffix[1]',
      reason: /empty suffix/,
    },
    {
      name: 'anything-but prefix ignoring case',
      pattern: { s: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'x' } } }] },
      path: '$.s[0]["anything-but"].prefix',
      reason: /string or a list of strings/,
    },
    {
      name: 'anything-but prefix number',
      pattern: { s: [{ 'anything-but': { prefix: 1 } }] },
      path: '$.s[0]["anything-but"].prefix',
      reason: /string or a list of strings/,
    },
    {
      name: 'anything-but prefix list with a number',
      pattern: { s: [{ 'anything-but': { prefix: ['a', 1] } }] },
      path: '$.s[0]["anything-but"].prefix[1]',
      reason: /takes strings/,
    },
    {
      name: 'anything-but equals-ignore-case number',
      pattern: { s: [{ 'anything-but': { 'equals-ignore-case': 5 } }] },
      path: '$.s[0]["anything-but"]["equals-ignore-case"]',
      reason: /string or a list/,
    },
    {
      name: 'anything-but numeric',
      pattern: { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
      path: '$.s[0]["anything-but"]',
      reason: /anything-but takes one of prefix, suffix, equals-ignore-case, wildcard/,
    },
    {
      name: 'anything-but with two forms',
      pattern: { s: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] },
      path: '$.s[0]["anything-but"]',
      reason: /found "prefix", "suffix"/,
    },
    {
      name: 'anything-but bad wildcard',
      pattern: { s: [{ 'anything-but': { wildcard: ['*/a/*', 'a**'] } }] },
      path: '$.s[0]["anything-but"].wildcard[1]',
      reason: /consecutive wildcard/,
    },
    // cidr
    {
      name: 'cidr without a slash',
      pattern: { ip: [{ cidr: 'bad-filter' }] },
      path: '$.ip[0].cidr',
      reason: /exactly one "\/"/,
    },
    {
      name: 'cidr with a bad address',
      pattern: { ip: [{ cidr: 'xx.11.xx/8' }] },
      path: '$.ip[0].cidr',
      reason: /not an IPv4 or IPv6 address/,
    },
    {
      name: 'cidr with a bad mask',
      pattern: { ip: [{ cidr: '10.0.0.0/x' }] },
      path: '$.ip[0].cidr',
      reason: /prefix length/,
    },
    {
      name: 'cidr /33',
      pattern: { ip: [{ cidr: '10.0.0.0/33' }] },
      path: '$.ip[0].cidr',
      reason: /from 0 to 32/,
    },
    {
      name: 'cidr IPv6 /129',
      pattern: { ip: [{ cidr: '2001:db8::/129' }] },
      path: '$.ip[0].cidr',
      reason: /from 0 to 128/,
    },
    {
      name: 'cidr IPv6 with a zone id',
      pattern: { ip: [{ cidr: 'fe80::%eth0/10' }] },
      path: '$.ip[0].cidr',
      reason: /not an IPv4 or IPv6 address/,
    },
    {
      name: 'cidr IPv6 with a bad address',
      pattern: { ip: [{ cidr: '2001:db8:::/48' }] },
      path: '$.ip[0].cidr',
      reason: /not an IPv4 or IPv6 address/,
    },
    {
      name: 'cidr IPv6 with two slashes',
      pattern: { ip: [{ cidr: '2001:db8::/48/64' }] },
      path: '$.ip[0].cidr',
      reason: /exactly one "\/"/,
    },
    {
      name: 'cidr with a number',
      pattern: { ip: [{ cidr: 10 }] },
      path: '$.ip[0].cidr',
      reason: /cidr takes a string/,
    },
    // wildcard
    {
      name: 'wildcard with consecutive stars',
      pattern: { s: [{ wildcard: 'a**b' }] },
      path: '$.s[0].wildcard',
      reason: /consecutive wildcard characters/,
    },
    {
      name: 'wildcard escaping another character',
      pattern: { s: [{ wildcard: 'a\\b' }] },
      path: '$.s[0].wildcard',
      reason: /backslash may only escape/,
    },
    {
      name: 'wildcard ending in a backslash',
      pattern: { s: [{ wildcard: 'abc\\' }] },
      path: '$.s[0].wildcard',
      reason: /backslash may only escape/,
    },
    {
      name: 'wildcard with a number',
      pattern: { s: [{ wildcard: 5 }] },
      path: '$.s[0].wildcard',
      reason: /wildcard takes a string/,
    },
    // $or
    { name: '$or with one branch', pattern: { $or: [{ a: ['x'] }] }, path: '$.$or', reason: /at least two/ },
    { name: '$or with an object', pattern: { $or: { a: ['x'] } }, path: '$.$or', reason: /at least two/ },
    {
      name: '$or with a string branch',
      pattern: { $or: [{ a: ['x'] }, 'b'] },
      path: '$.$or[1]',
      reason: /must be a JSON object/,
    },
    {
      name: '$or with an empty branch',
      pattern: { $or: [{ a: ['x'] }, {}] },
      path: '$.$or[1]',
      reason: /empty objects/,
    },
    {
      name: '$or with an operator as a field',
      pattern: { $or: [{ prefix: ['x'] }, { a: ['y'] }] },
      path: '$.$or[0].prefix',
      reason: /comparison operator/,
    },
    {
      name: 'a problem inside a nested $or',
      pattern: { detail: { $or: [{ a: ['x'] }, { $or: [{ b: [] }, { c: ['y'] }] }] } },
      path: '$.detail.$or[1].$or[0].b',
      reason: /empty arrays/,
    },
  ];

  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => compileEventPattern(c.pattern),
        (err: unknown) => {
          assert.ok(err instanceof EventPatternError, 'an EventPatternError');
          const found = err.problems.find((p) => p.path === c.path);
          assert.ok(found, `a problem at ${c.path}; got ${JSON.stringify(err.problems)}`);
          assert.match(found.reason, c.reason);
          assert.ok(err.message.includes(`${c.path}: `), 'the message names the path');
          return true;
        },
      );
    });
  }

  test('every problem is reported, each with its own path', () => {
    assert.throws(
      () => compileEventPattern({ a: [], b: { c: 'x' }, d: [{ numeric: ['<', 1, '>', 0] }], e: ['ok'] }),
      (err: unknown) => {
        assert.ok(err instanceof EventPatternError);
        assert.deepEqual(
          err.problems.map((p) => p.path),
          ['$.a', '$.b.c', '$.d[0].numeric[2]'],
        );
        return true;
      },
    );
  });

  test('the error carries the documented code and HTTP status', () => {
    assert.throws(
      () => compileEventPattern({ source: [] }),
      (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.name, 'EventPatternError');
        assert.equal(err.code, 'CS_ERR_EVENT_PATTERN_INVALID');
        assert.equal(err.status, 400);
        assert.equal(err.message, 'invalid event pattern: $.source: empty arrays are not allowed');
        return true;
      },
    );
  });
});
