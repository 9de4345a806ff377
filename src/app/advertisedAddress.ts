import { networkInterfaces } from 'node:os';

/** The address peers should send SIP and RTP to: the configured one, else the first external IPv4. */
export function resolveAdvertisedAddress(configured: string, bindHost: string): string {
  if (configured) return configured;
  if (bindHost !== '0.0.0.0' && bindHost !== '::') return bindHost;
  for (const addresses of Object.values(networkInterfaces())) {
    const external = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (external) return external.address;
  }
  return '127.0.0.1';
}
