import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPTIONS } from './config/ConfigOptions.js';
import { CallsightError, errorMessage, type ErrorCode } from '../platform/errors.js';

/**
 * What a start that cannot succeed says: one message naming the setting to change, so that the
 * process exits at once (main.ts) and its supervisor shows why, rather than half-starting.
 */

/** `sip.udpPort (CALLSIGHT_SIP_UDP_PORT)`: a setting as messages name it. */
export function setting(path: string): string {
  const option = OPTIONS.find((o) => o.path === path);
  return option ? `${path} (${option.env})` : path;
}

interface BindError {
  readonly code?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
}

/**
 * A listener's bind failure as CS_ERR_PORT_UNAVAILABLE naming `portSetting` (or `hostSetting` when the
 * address is not one of this machine's); any other error is returned unchanged.
 */
export function bindFailure(err: unknown, what: string, portSetting: string, hostSetting: string): unknown {
  const { code, address, port } = (err ?? {}) as BindError;
  const where = `${String(address)}:${String(port)}`;
  switch (code) {
    case 'EADDRINUSE':
      return new CallsightError(
        'CS_ERR_PORT_UNAVAILABLE',
        `${what} ${where} is in use by another process: stop it, or set ${setting(portSetting)} to a free port`,
        { cause: err },
      );
    case 'EACCES':
      return new CallsightError(
        'CS_ERR_PORT_UNAVAILABLE',
        `${what} ${where} needs privileges this process lacks: set ${setting(portSetting)} to a port above 1023, or grant CAP_NET_BIND_SERVICE`,
        { cause: err },
      );
    case 'EADDRNOTAVAIL':
      return new CallsightError(
        'CS_ERR_PORT_UNAVAILABLE',
        `${what} ${where}: ${String(address)} is not an address of this machine: set ${setting(hostSetting)}`,
        { cause: err },
      );
    default:
      return err;
  }
}

/** Creates the folder and proves it writable (a file written and removed), else CS_ERR_DATA_DIR_UNWRITABLE. */
export function checkWritableFolder(dir: string, settingPath: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.callsight-write-check-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    throw new CallsightError(
      'CS_ERR_DATA_DIR_UNWRITABLE',
      `the folder ${dir} cannot be written (${errorMessage(err)}): give this process write access to it, or set ${setting(settingPath)}`,
      { cause: err },
    );
  }
}

/** A backend's failure to open with `code`, its message completed with the setting that names it. */
export function unreachable(err: unknown, code: ErrorCode, settingPath: string): unknown {
  if (!(err instanceof CallsightError) || err.code !== code) return err;
  return new CallsightError(code, `${err.message}: check that it runs and ${setting(settingPath)}`, {
    cause: err,
  });
}

/** The pocketsphinx model files under `dir`, and those missing. */
export function missingModelFiles(dir: string): string[] {
  return ['en-us', 'en-us.lm.bin', 'cmudict-en-us.dict']
    .map((name) => join(dir, name))
    .filter((path) => !existsSync(path));
}
