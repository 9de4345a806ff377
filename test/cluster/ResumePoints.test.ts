import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resumePoints } from '../../src/cluster/ResumePoints.js';
import type { ChannelDefinition } from '../../src/pipeline/PipelineTypes.js';

const CHANNELS: ChannelDefinition[] = [
  { streamChannel: 0, channelId: 0, participantRole: 'CUSTOMER' },
  { streamChannel: 1, channelId: 1, participantRole: 'AGENT' },
];

/** A record as the data stream hands it back. */
const stored = (type: string, record: unknown) => ({ type, json: JSON.stringify(record) });
const transcribe = (channel: string, isPartial: boolean, start: number, end: number) =>
  stored('Transcribe', {
    TranscriptEvent: { ChannelId: channel, IsPartial: isPartial, StartTime: start, EndTime: end },
  });
const utterance = (role: string, isPartial: boolean, begin: number, end: number) =>
  stored('TranscribeCallAnalytics', {
    UtteranceEvent: {
      ParticipantRole: role,
      IsPartial: isPartial,
      BeginOffsetMillis: begin,
      EndOffsetMillis: end,
    },
  });

describe('resumePoints', () => {
  test('each channel resumes where its last final ended; later partials do not count', () => {
    const from = resumePoints(
      [
        transcribe('ch_0', false, 0.4, 3.8),
        transcribe('ch_1', false, 1.0, 2.5),
        transcribe('ch_0', false, 4.25, 6.85),
        transcribe('ch_0', true, 7.28, 7.9),
        transcribe('ch_1', true, 3.0, 4.0),
      ],
      CHANNELS,
    );
    assert.deepEqual(
      [...from],
      [
        [0, 6850],
        [1, 2500],
      ],
    );
  });

  test('call analytics records map roles to channels; a channel with no final starts at 0', () => {
    const from = resumePoints(
      [
        utterance('AGENT', false, 1000, 2100),
        utterance('CUSTOMER', true, 500, 900),
        stored('TranscribeCallAnalytics', { other: true }),
        stored('TranscribeCallAnalytics', null),
      ],
      CHANNELS,
    );
    assert.deepEqual(
      [...from],
      [
        [0, 0],
        [1, 2100],
      ],
    );
  });

  test('results for channels the pipeline does not have, and records of other types, are ignored', () => {
    assert.deepEqual(
      [
        ...resumePoints(
          [
            transcribe('ch_7', false, 1, 2),
            transcribe('x', false, 1, 2),
            { ...transcribe('ch_0', false, 1, 2), type: 'CallAnalyticsMetadata' },
          ],
          CHANNELS,
        ),
      ],
      [
        [0, 0],
        [1, 0],
      ],
    );
  });
});
