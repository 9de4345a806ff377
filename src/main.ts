#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { App } from './app/App.js';
import { ACCESS_CLI_HELP, runAccessCommand } from './app/cli/accessCli.js';
import { helpText, loadConfig, readConfigFile, unreadVariables } from './app/config/Config.js';
import { CallsightError, errorMessage } from './platform/errors.js';
import { createLogger } from './platform/logger.js';
import { packageVersion } from './app/version.js';

/** How long a failed start may take to close what it opened before it exits regardless. */
const START_FAILURE_EXIT_MS = 3000;

async function main(): Promise<number> {
  const command = process.argv[2];
  if (command === 'users' || command === 'tokens') return accessCommand(process.argv.slice(2));
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: 'string' },
        role: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n\n${helpText()}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(`${helpText()}\n\n${ACCESS_CLI_HELP}\n`);
    return 0;
  }
  if (args.values.version) {
    process.stdout.write(`callsight ${packageVersion()}\n`);
    return 0;
  }
  const configPath = args.values.config ?? process.env.CALLSIGHT_CONFIG;
  let config;
  let file: Record<string, unknown> = {};
  try {
    // --role wins over CALLSIGHT_ROLE and the file's `role`.
    const env =
      args.values.role === undefined ? process.env : { ...process.env, CALLSIGHT_ROLE: args.values.role };
    if (configPath) file = readConfigFile(configPath);
    config = loadConfig({ file, env });
  } catch (err) {
    if (err instanceof CallsightError) {
      process.stderr.write(`callsight: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.log.level);
  const unread = unreadVariables(process.env, file);
  if (unread.length > 0)
    logger.warn(
      { variables: unread },
      'ignoring environment variables that no setting reads: check their names against callsight --help',
    );
  let app: App;
  try {
    app = await App.start(config, logger);
  } catch (err) {
    logger.fatal({ err }, 'callsight could not start');
    process.stderr.write(`callsight: could not start: ${errorMessage(err)}\n`);
    // A bad configuration document is the operator's to fix, like a bad setting: exit code 2.
    return err instanceof CallsightError && err.code === 'CS_ERR_CONFIG_INVALID' ? 2 : 1;
  }
  process.stdout.write(app.banner());
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: finishing calls and flushing the stream');
      process.off('SIGINT', stop).off('SIGTERM', stop);
      app.close().then(resolve, (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
  logger.info('callsight stopped');
  return 0;
}

/** `callsight users …` / `callsight tokens …` (src/app/cli/accessCli.ts): exit code 2 for a usage error. */
async function accessCommand(argv: string[]): Promise<number> {
  const configAt = argv.indexOf('--config');
  const configPath = (configAt >= 0 ? argv[configAt + 1] : undefined) ?? process.env.CALLSIGHT_CONFIG;
  try {
    const config = loadConfig({ file: configPath ? readConfigFile(configPath) : {}, env: process.env });
    await runAccessCommand(config, argv, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } catch (err) {
    process.stderr.write(`callsight: ${errorMessage(err)}\n`);
    return err instanceof CallsightError ? 2 : 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    // A start that failed exits even if something it opened still holds the event loop: a supervisor
    // must see the exit, not a process left running without its listeners.
    if (code !== 0) setTimeout(() => process.exit(code), START_FAILURE_EXIT_MS).unref();
  },
  (err: unknown) => {
    process.stderr.write(`callsight: ${(err instanceof Error && err.stack) || errorMessage(err)}\n`);
    process.exitCode = 1;
  },
);
