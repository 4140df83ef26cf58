/** Headless Chromium for the console's browser tests: Debian's package, driven by playwright-core. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); `.ci/run` installs it. */
export const CHROMIUM = '/usr/bin/chromium';
/** Why the browser tests cannot run here, or '' when they can. */
export const SKIP_REASON = existsSync(CHROMIUM)
  ? ''
  : `${CHROMIUM} is not installed (apt-get install -y chromium)`;
/** Screenshots of failed checks go here. */
export const OUTPUT_DIR = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
/**
 * When set (`KBGATE_SCREENSHOTS=docs/screenshots`), the tests also save the README's screenshots there.
 */
export const SCREENSHOT_DIR = process.env.KBGATE_SCREENSHOTS ?? null;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--lang=en-US',
];

/** Launches Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * Runs `check` on a fresh page (its own context, so its own sessionStorage); on failure saves a screenshot under
 * test-output/console/ and names it in the error. Errors the page logs fail the check.
 */
export async function withPage(
  browser: Browser,
  name: string,
  check: (page: Page) => Promise<void>,
  options: BrowserContextOptions = {},
): Promise<void> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    locale: 'en-US',
    ...options,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/401 \(Unauthorized\)/.test(message.text()))
      problems.push(`console error: ${message.text()}`);
  });
  try {
    await check(page);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  } catch (error) {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const file = join(OUTPUT_DIR, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    throw new Error(`${(error as Error).message}\nscreenshot: ${file}`, { cause: error });
  } finally {
    await context.close();
  }
}

/** Saves a README screenshot when {@link SCREENSHOT_DIR} is set. */
export async function saveScreenshot(page: Page, name: string, fullPage = false): Promise<void> {
  if (SCREENSHOT_DIR === null) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}
