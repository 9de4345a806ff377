import assert from 'node:assert/strict';
import type { CallInfo, CallStream } from '../../../src/connector/CallTypes.js';
import type { EventEnvelope } from '../../../src/events/EventEnvelope.js';
import { silentLogger } from '../../../src/platform/logger.js';
import {
  blueprintFor,
  type ConfigurationElements,
  type ElementFactoryDeps,
} from '../../../src/pipeline/ElementFactory.js';
import { Pipeline } from '../../../src/pipeline/Pipeline.js';
import { defaultChannels } from '../../../src/pipeline/PipelineManager.js';

/** account and region of the events the pipelines under test publish. */
export const origin = { account: '000000000000', region: 'local' };

/** Stream `channel` of a test call (channel 0 is the caller). */
export function testStream(callId: string, channel: number, mediaLabel: string | null = null): CallStream {
  return {
    mediaIndex: channel,
    mediaLabel,
    channel,
    isCaller: channel === 0,
    streamArn: `arn:${callId}:${channel}`,
    startFragmentNumber: '1',
  };
}

/** An inbound listener call on `vc-test` with one stream (the caller on channel 0); override what a test needs. */
export function testCall(callId: string, overrides: Partial<CallInfo> = {}): CallInfo {
  return {
    callId,
    transactionId: `${callId}-tx`,
    sipCallId: `${callId}@test`,
    kind: 'listener',
    voiceConnectorId: 'vc-test',
    siprecMetadata: null,
    siprecMetadataJson: null,
    direction: 'Inbound',
    fromNumber: '+15555550100',
    toNumber: '+15555550199',
    inviteHeaders: {},
    streams: [testStream(callId, 0)],
    startedAt: new Date(),
    ...overrides,
  };
}

/**
 * A real Pipeline of `configuration` for `call`, built with `deps` (no webhook: a dead letter fails the
 * test; the silent logger and `origin` unless given), its default channels, and `publish` for its events.
 */
export function testPipeline(
  call: CallInfo,
  configuration: ConfigurationElements,
  deps: Omit<ElementFactoryDeps, 'deadLetter' | 'logger' | 'origin'> & Partial<ElementFactoryDeps>,
  options: {
    readonly runtimeMetadata?: Record<string, string>;
    readonly publish: (event: EventEnvelope) => void;
  },
): Pipeline {
  const blueprint = blueprintFor(configuration, {
    deadLetter: () => assert.fail('no webhook in this configuration'),
    origin,
    logger: silentLogger,
    ...deps,
  });
  return new Pipeline({
    call,
    configurationName: blueprint.configurationName,
    configurationArn: blueprint.configurationArn,
    channels: defaultChannels(call),
    runtimeMetadata: options.runtimeMetadata ?? {},
    origin,
    publish: options.publish,
    logger: silentLogger,
    build: blueprint.build,
  });
}
