import { resolve } from 'node:path';
import type { Config } from './config/Config.js';
import { CallsightError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { resolveAdvertisedAddress } from './advertisedAddress.js';
import type { AppContext, RunningApp } from './AppTypes.js';
import { startCluster } from './cluster.js';
import { startEmbedded } from './embedded.js';
import { checkWritableFolder } from './startChecks.js';
import { checkRoleBackends, parseRoles, type Roles } from './roles/Roles.js';

/**
 * Callsight, SIP → media → pipeline → stream → gateway, as the configured roles: `all` (the default)
 * wires the sip, worker and gateway roles together in this process (embedded.ts); any list of roles
 * runs those here and meets the other processes through NATS and PostgreSQL (cluster.ts). Torn down
 * in reverse so a shutdown loses nothing.
 */
export class App {
  readonly config: Config;
  readonly roles: Roles;
  readonly advertisedAddress: string;
  readonly #running: RunningApp;
  readonly #logger: Logger;
  #closing: Promise<void> | null = null;

  private constructor(context: AppContext, running: RunningApp) {
    this.config = context.config;
    this.roles = context.roles;
    this.advertisedAddress = context.advertisedAddress;
    this.#running = running;
    this.#logger = context.logger;
  }

  static async start(config: Config, logger: Logger): Promise<App> {
    const roles = parseRoles(config.role);
    if (!roles)
      throw new CallsightError('CS_ERR_CONFIG_INVALID', `invalid role ${JSON.stringify(config.role)}`);
    checkRoleBackends(config, roles);
    const dataDir = resolve(config.dataDir);
    checkWritableFolder(dataDir, 'dataDir');
    if ((roles.worker || roles.gateway) && config.recording.dir)
      checkWritableFolder(resolve(config.recording.dir), 'recording.dir');
    const context: AppContext = {
      config,
      roles,
      logger: roles.all ? logger : logger.child({ role: roles.name }),
      dataDir,
      origin: { account: config.voiceConnector.account, region: config.voiceConnector.region },
      advertisedAddress: resolveAdvertisedAddress(config.sip.advertisedAddress, config.sip.host),
    };
    const running = roles.all ? await startEmbedded(context) : await startCluster(context);
    const app = new App(context, running);
    context.logger.info(
      {
        role: roles.name,
        ...(roles.sip ? { sipUdp: running.sipUdpPort, sipTcp: running.sipTcpPort } : {}),
        http: running.httpPort,
        ...(roles.worker ? { asr: config.asr.enabled ? 'pocketsphinx' : 'off' } : {}),
      },
      'callsight ready',
    );
    return app;
  }

  get sipUdpPort(): number {
    return this.#running.sipUdpPort;
  }

  get sipTcpPort(): number {
    return this.#running.sipTcpPort;
  }

  get httpPort(): number {
    return this.#running.httpPort;
  }

  banner(): string {
    const host = this.advertisedAddress;
    const web = host === '0.0.0.0' ? '127.0.0.1' : host;
    const lines = [
      '',
      this.roles.all ? 'Callsight is running.' : `Callsight is running as ${this.roles.name}.`,
    ];
    if (this.roles.sip)
      lines.push(
        `  Point a SIP trunk (or SIPREC) at  sip:callsight@${host}:${this.sipUdpPort}  (UDP; TCP on ${this.sipTcpPort})`,
      );
    if (this.roles.gateway)
      lines.push(
        `  Watch calls live at               http://${web}:${this.httpPort}/`,
        `  WebSocket stream                  ws://${host}:${this.httpPort}/ws?from=0`,
      );
    if (this.roles.worker && !this.roles.all)
      lines.push('  Taking pipeline jobs and events  from NATS (speech recognition, analytics, recordings)');
    lines.push(`  Health / metrics                  http://${host}:${this.httpPort}/healthz  /metrics`);
    if (this.roles.all) lines.push(`  Place a demo call                 npm run demo-call`);
    lines.push('');
    return lines.join('\n');
  }

  /**
   * Graceful shutdown: stop taking calls, hang up the ones in progress (BYE), let their media and
   * pipelines flush their last transcripts into the stream, then close the stream and the gateway.
   * A worker hands the pipelines of calls that go on (on another sip process) to another worker.
   */
  close(): Promise<void> {
    this.#closing ??= this.#running
      .close()
      .then(() => this.#logger.info('all calls finished and the stream is flushed'));
    return this.#closing;
  }
}
