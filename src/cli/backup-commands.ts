/** Registers `kbgate backup`, `kbgate restore` and `kbgate verify` on the program: argument parsing only. */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { backupCommand, restoreCommand, verifyCommand, type BackupIo } from './backup.js';

/** What the commands read from their process. */
export interface BackupCommandsIo extends BackupIo {
  env: Record<string, string | undefined>;
}

/** Adds the three commands; each reports its exit code through `done`. */
export function addBackupCommands(
  program: Command,
  io: BackupCommandsIo,
  done: (code: number) => void,
): void {
  const dataDir = (option: string | undefined): string => {
    const dir = option ?? loadConfig(io.env).dataDir;
    if (dir === null) throw new Error('KBGATE_DATA_DIR is :memory:; name a data directory with --data-dir');
    return dir;
  };
  program
    .command('backup <file>')
    .description(
      'write a consistent snapshot of the data directory to FILE (- for stdout) while servers keep running',
    )
    .option('--data-dir <dir>', 'data directory to back up (default KBGATE_DATA_DIR)')
    .option('--no-indexes', 'leave the vector indexes out (smaller; a restored server rebuilds them)')
    .action(async (file: string, options: { dataDir?: string; indexes: boolean }) =>
      done(await backupCommand(dataDir(options.dataDir), file, { indexes: options.indexes }, io)),
    );
  program
    .command('restore <file>')
    .description(
      'verify a backup (- for stdin) and put it in place of the data directory; stop the server first',
    )
    .option('--data-dir <dir>', 'data directory to restore into (default KBGATE_DATA_DIR)')
    .option('--yes', 'replace a data directory that already holds a database')
    .action(async (file: string, options: { dataDir?: string; yes?: boolean }) =>
      done(await restoreCommand(dataDir(options.dataDir), file, { yes: options.yes === true }, io)),
    );
  program
    .command('verify [path]')
    .description(
      'check a data directory or a backup file: SQLite integrity, records against the change log, index checksums',
    )
    .action((path: string | undefined) => done(verifyCommand(path ?? dataDir(undefined), io)));
}
