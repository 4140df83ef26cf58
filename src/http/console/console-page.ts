/** The console's page at `/` and its scripts and styles under `/console/assets`: files only, no data. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/** Where the console's scripts and styles are served. */
export const CONSOLE_ASSETS_PATH = '/console/assets';

/**
 * Creates the router of the console's static files, to be mounted before authentication: they hold no data, and
 * the page must load to ask for the token. Every data call goes to `/console/api`, which the app protects.
 *
 * @remarks The page, scripts and styles are separate files, as the Content-Security-Policy kbgate sends forbids
 * inline ones. They are looked up in the nearest `console/` folder above this module (the repository or package
 * root); without one, the router serves nothing.
 */
export function createConsolePage(): Router {
  const router = express.Router();
  const dir = findConsoleDir();
  if (dir === null) return router;
  const page = readFileSync(join(dir, 'index.html'));
  router.get('/', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('html').send(page);
  });
  router.use(
    CONSOLE_ASSETS_PATH,
    express.static(join(dir, 'assets'), { index: false, fallthrough: true, setHeaders: noCache }),
  );
  return router;
}

function noCache(res: { setHeader(name: string, value: string): void }): void {
  res.setHeader('Cache-Control', 'no-cache');
}

/** The nearest `console/` folder with an `index.html` above this module, or null. */
function findConsoleDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, 'console');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  return null;
}
