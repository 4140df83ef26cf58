/** `kbgate serve` / `npm start`: configuration -> server, a summary for a person, graceful shutdown on signals. */
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createLogger } from '../http/logging.js';
import { startServer, type RunningServer } from '../server.js';
import { ingestCommand } from './command-name.js';
import { explainError } from './explain-error.js';
import { readPackageVersion } from './package-version.js';
import { describeStartup } from './startup-summary.js';

/** What serving reads from its process. */
export interface ServeIo {
  env: Record<string, string | undefined>;
  stderr: NodeJS.WritableStream;
}

/** Exit codes: a configuration error, a start that failed (port, data directory). */
export const EXIT_CONFIG = 2;
export const EXIT_START_FAILED = 1;

/**
 * Starts the server and installs the signal handlers; resolves to null once listening (the process keeps running),
 * or to an exit code after printing one line that names the problem and the setting to change.
 */
export async function runServer(io: ServeIo): Promise<number | null> {
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`kbgate: configuration error: ${err.message}\n`);
    return EXIT_CONFIG;
  }
  const logger = createLogger(config.logLevel);
  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (err) {
    io.stderr.write(`kbgate: cannot start: ${explainError(err, config)}\n`);
    return EXIT_START_FAILED;
  }
  const where = config.chroma ? { chroma: config.chroma.url } : { dataDir: config.dataDir ?? ':memory:' };
  logger.info({ url: running.url, ...where }, 'kbgate listening');
  const version = readPackageVersion();
  const summary = await describeStartup({
    config,
    engine: running.engine,
    gateway: running.gateway,
    url: running.url,
    version,
    ingestCommand: ingestCommand(io.env),
  });
  io.stderr.write(summary);
  stopOnSignals(running, logger);
  return null;
}

function stopOnSignals(running: RunningServer, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.shutdown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
