/** The media stage's public entry: what sip and pipeline code may import. */
export type { G711Encoding, PcmFrame, RemoteAddress, RtpStreamStats } from './MediaTypes.js';
export { PIPELINE_SAMPLE_RATE } from './MediaTypes.js';
export type { DtmfEvent, RtpReceiverEvents, RtpReceiverOptions } from './RtpReceiverTypes.js';
export { RtpReceiver } from './RtpReceiver.js';
export { PortAllocator, type PortAllocatorOptions } from './rtp/PortAllocator.js';
export { RtpPacket, type RtpHeaderExtension, type RtpPacketInit } from './rtp/RtpPacket.js';
export { TelephoneEvent, type TelephoneEventInit } from './rtp/TelephoneEvent.js';
export { JitterBuffer } from './rtp/JitterBuffer.js';
export type * from './rtp/JitterBufferTypes.js';
export { decodeG711, decodeG711Into, encodeG711, encodeG711Sample } from './codec/G711.js';
export { Downsampler2x, Upsampler2x } from './codec/Resampler.js';
