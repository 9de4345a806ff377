import type { Config } from './config/Config.js';
import type { EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import type { Roles } from './roles/Roles.js';

/** What every assembly of Callsight starts from. */
export interface AppContext {
  readonly config: Config;
  readonly roles: Roles;
  readonly logger: Logger;
  /** Absolute. */
  readonly dataDir: string;
  readonly origin: EventOrigin;
  /** The address put in SIP Contact and SDP, and in links when http.host is a wildcard. */
  readonly advertisedAddress: string;
}

/** A started assembly: its listening ports and its graceful shutdown. */
export interface RunningApp {
  /** 0 when this process has no sip role. */
  readonly sipUdpPort: number;
  readonly sipTcpPort: number;
  /** The gateway's port, or the health port of a process without the gateway role. */
  readonly httpPort: number;
  /** The first admin's password, when this start created it: printed once in the banner. */
  readonly adminPassword?: string;
  /** Stages torn down in reverse order of the packet's path; nothing accepted is lost. */
  close(): Promise<void>;
}
