import { SipRejection } from '../../sip/CallHandlerTypes.js';
import type { NegotiatedStream } from '../MediaNegotiation.js';
import { applyPartialUpdate } from './PartialUpdate.js';
import type { RecordingMetadata } from './RecordingMetadataTypes.js';
import { StreamMappingError } from './SiprecErrors.js';
import type { SiprecOffer } from './SiprecInvite.js';
import { siprecMetadataJson } from './SiprecMetadataJson.js';
import { mapStreams, type MappedStream, type StreamMappingOptions } from './StreamMapping.js';

export interface MappedAudio extends MappedStream {
  readonly stream: NegotiatedStream;
}

/** The user part of an AOR (`sip:+15555550100@sbc.example.com` → `+15555550100`), else the AOR. */
function numberOf(aor: string | null): string | null {
  if (aor === null) return null;
  const match = /^(?:sips?:|tel:)?([^@;>]+)@/i.exec(aor.trim());
  return match?.[1] ?? aor;
}

/**
 * One recording session's metadata over its life: the snapshot of the INVITE, merged with each
 * re-INVITE's (partial snapshots only carry what changed, RFC 7865 §6), and the mapping of its
 * audio streams to speakers, roles and channels.
 */
export class RecordingSessionState {
  #metadata: RecordingMetadata;
  #metadataXml: string;
  #metadataJson: string;
  readonly #options: Pick<StreamMappingOptions, 'agentAorPattern'>;

  constructor(offer: SiprecOffer, options: Pick<StreamMappingOptions, 'agentAorPattern'>) {
    this.#metadata = offer.metadata;
    this.#metadataXml = offer.metadataXml;
    this.#metadataJson = siprecMetadataJson(offer.metadata);
    this.#options = options;
  }

  /** The latest snapshot as received (Chime's `siprecMetadata` carries the XML as sent). */
  get metadataXml(): string {
    return this.#metadataXml;
  }

  get metadataJson(): string {
    return this.#metadataJson;
  }

  update(snapshot: RecordingMetadata, xml: string): void {
    this.#metadata =
      snapshot.dataMode === 'partial' ? applyPartialUpdate(this.#metadata, snapshot) : snapshot;
    this.#metadataXml = xml;
    this.#metadataJson = siprecMetadataJson(this.#metadata);
  }

  /** Speaker, role and channel of each accepted audio stream; two streams on one channel → 488. */
  map(accepted: readonly NegotiatedStream[]): MappedAudio[] {
    let mapped: MappedStream[];
    try {
      mapped = mapStreams(
        accepted.map((s) => ({ mediaIndex: s.mediaIndex, label: s.label })),
        this.#metadata,
        this.#options,
      );
    } catch (err) {
      if (err instanceof StreamMappingError)
        throw new SipRejection(err.code, 'Not Acceptable Here', { cause: err });
      throw err;
    }
    return mapped.map((m, index) => ({ ...m, stream: accepted[index]! }));
  }

  /** The call's parties as Chime reports them: the caller's number first. */
  parties(mapped: readonly MappedAudio[]): { from: string | null; to: string | null } {
    const caller = mapped.find((m) => m.isCaller)?.participant ?? null;
    const other = mapped.find((m) => !m.isCaller)?.participant ?? null;
    return { from: numberOf(caller?.aor ?? null), to: numberOf(other?.aor ?? null) };
  }
}
