// The allowed dependency graph of src/: read by .dependency-cruiser.cjs (which enforces it) and by the
// docs test (docs/architecture.md draws it).
/** Each folder under src/ and what it may import besides itself. Dependencies point down the data flow. */
const STAGES = {
  platform: [],
  sip: ['platform'],
  media: ['platform'],
  events: ['platform'],
  stream: ['platform'],
  configurations: ['platform'],
  connector: ['sip', 'media', 'events', 'platform'],
  transcribe: ['media', 'platform'],
  recording: ['media', 'platform'],
  analytics: ['transcribe', 'configurations', 'media', 'platform'],
  pipeline: [
    'connector',
    'events',
    'media',
    'stream',
    'transcribe',
    'analytics',
    'recording',
    'configurations',
    'platform',
  ],
  calls: ['pipeline', 'connector', 'events', 'analytics', 'platform'],
  gateway: ['stream', 'calls', 'pipeline', 'configurations', 'recording', 'connector', 'media', 'platform'],
  // Scale-out adapters: the stages' ports over NATS. Only app composes them.
  cluster: [
    'sip',
    'stream',
    'calls',
    'pipeline',
    'configurations',
    'recording',
    'analytics',
    'transcribe',
    'connector',
    'events',
    'media',
    'gateway',
    'platform',
  ],
  // Composition roots: the only place that wires stages together.
  app: [
    'cluster',
    'stream',
    'calls',
    'pipeline',
    'configurations',
    'recording',
    'analytics',
    'transcribe',
    'connector',
    'events',
    'media',
    'sip',
    'gateway',
    'platform',
  ],
};

module.exports = { STAGES };
