/** How a person runs kbgate's commands where this process was started, so advice can be pasted as printed. */
import path from 'node:path';

type Env = Record<string, string | undefined>;

/** `npm run kbgate --` in a clone, `kbgate` when installed, else `node <path>/cli.js`. */
export function kbgateCommand(env: Env, script: string | undefined = process.argv[1]): string {
  if (env.npm_lifecycle_event) return 'npm run kbgate --';
  if (script === undefined || path.basename(script) === 'kbgate') return 'kbgate';
  const extension = path.extname(script);
  const absolute = path.join(path.dirname(script), `cli${extension}`);
  const relative = path.relative(process.cwd(), absolute);
  const cli = relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
  return extension === '.ts' ? `npx tsx ${cli}` : `node ${cli}`;
}

/** The ingest command in the same spelling: `npm run ingest --` in a clone, else `<kbgate> ingest`. */
export function ingestCommand(env: Env, script: string | undefined = process.argv[1]): string {
  if (env.npm_lifecycle_event) return 'npm run ingest --';
  return `${kbgateCommand(env, script)} ingest`;
}
