/** One line for a person instead of a stack trace: what went wrong and the setting that changes it. */
import path from 'node:path';
import type { Config } from '../config.js';
import { isEngineError } from '../engine/errors.js';

interface SystemError {
  code?: string;
  syscall?: string;
  path?: string;
  port?: number;
  address?: string;
}

/** Explains a failure of kbgate's start or of a command; errors it does not know keep their message. */
export function explainError(error: unknown, config: Config | null): string {
  if (isEngineError(error)) return error.message;
  const err = (error ?? {}) as SystemError & { message?: string };
  if (err.syscall === 'listen' || err.syscall === 'bind') return explainListen(err, config);
  if (err.code && err.path) return explainPath(err, config);
  if (err.code === 'SQLITE_CANTOPEN' && config?.dataDir)
    return `cannot open the database in ${path.resolve(config.dataDir)}: set KBGATE_DATA_DIR to a writable folder`;
  return err.message ?? String(error);
}

function explainListen(err: SystemError, config: Config | null): string {
  const where = `${config?.host ?? err.address}:${config?.port ?? err.port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${config?.port ?? err.port} is already in use on ${config?.host ?? err.address} (another kbgate or program listens there): stop it or set KBGATE_PORT to a free port`;
    case 'EACCES':
      return `not allowed to listen on ${where}: ports below 1024 need privileges; set KBGATE_PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `KBGATE_HOST=${config?.host ?? err.address} is not an address of this machine: use 127.0.0.1, 0.0.0.0 (all interfaces) or one of its addresses`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `KBGATE_HOST=${config?.host ?? err.address} is not a known host name: use 127.0.0.1 or 0.0.0.0`;
    default:
      return `cannot listen on ${where} (${err.code}): check KBGATE_HOST and KBGATE_PORT`;
  }
}

const PATH_REASONS: Record<string, string> = {
  ENOTDIR: 'a file stands where a folder is needed',
  EEXIST: 'a file stands where a folder is needed',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  ENOENT: 'a parent folder does not exist',
};

function explainPath(err: SystemError, config: Config | null): string {
  const reason = PATH_REASONS[err.code ?? ''] ?? err.code;
  const target = path.resolve(err.path as string);
  const dataDir = config?.dataDir ? path.resolve(config.dataDir) : null;
  if (
    dataDir !== null &&
    (target === dataDir || target.startsWith(dataDir + path.sep) || dataDir.startsWith(target + path.sep))
  )
    return `cannot use the data directory ${dataDir}: ${reason} (${target}); set KBGATE_DATA_DIR to a writable folder`;
  return `cannot use ${target}: ${reason}`;
}
