import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginApp } from '../plugin/plugin-app.js';

/** Debian's Chromium (`apt-get install -y chromium`); `.ci/run` installs it. */
const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of failed page loads go here. */
const OUTPUT_DIR = fileURLToPath(new URL('../../test-output/', import.meta.url));
/** A host name for this machine's non-loopback address, as a browser on the LAN or in Docker would use. */
const HOST_NAME = 'kbgate.test';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The first IPv4 address of this machine that is not loopback. */
function lanAddress(): string | undefined {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  return addresses.find((a) => a.family === 'IPv4' && !a.internal)?.address;
}

const address = lanAddress();
const skipReason =
  (!existsSync(CHROMIUM) && `${CHROMIUM} is not installed (apt-get install -y chromium)`) ||
  (address === undefined && 'this machine has no non-loopback IPv4 address') ||
  '';

describe.skipIf(skipReason !== '')(
  `GET /docs in headless Chromium${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let server: Server;
    let browser: Browser;
    let origin: string;

    beforeAll(async () => {
      // KBGATE_PUBLIC_URL as in compose: a service name this browser cannot resolve.
      const { app } = await createPluginApp({ KBGATE_PUBLIC_URL: 'http://kbgate:8000' });
      server = createServer(app);
      await new Promise<void>((resolve) => server.listen(0, address, resolve));
      origin = `http://${HOST_NAME}:${(server.address() as AddressInfo).port}`;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${HOST_NAME} ${address}`],
      });
    });

    afterAll(async () => {
      await browser?.close();
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    /** Runs `check` on a fresh page; on failure saves a screenshot to test-output/ and names it in the error. */
    async function withPage(name: string, check: (page: Page) => Promise<void>): Promise<void> {
      const page = await browser.newPage();
      try {
        await check(page);
      } catch (error) {
        mkdirSync(OUTPUT_DIR, { recursive: true });
        const file = join(OUTPUT_DIR, `${name}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
        throw new Error(`${(error as Error).message}\nscreenshot: ${file}`, { cause: error });
      } finally {
        await page.close();
      }
    }

    it('should render Swagger UI over plain HTTP at a host name', async () => {
      await withPage('docs-render', async (page) => {
        const failed: string[] = [];
        page.on('requestfailed', (request) => failed.push(request.url()));
        const response = await page.goto(`${origin}/docs/`);
        await page
          .locator('.opblock-summary-path', { hasText: '/search' })
          .first()
          .waitFor({ timeout: 15_000 });
        expect(response?.headers()['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
        expect(failed).toEqual([]);
      });
    });

    it('should send "Try it out" to the origin the page was loaded from', async () => {
      await withPage('docs-try-it-out', async (page) => {
        await page.goto(`${origin}/docs/`);
        const operation = page.locator('.opblock-post').first();
        await operation.locator('.opblock-summary').click();
        await operation.locator('button.try-out__btn').click();
        await operation
          .locator('textarea.body-param__text')
          .fill(JSON.stringify({ query: 'install kbgate' }));
        const sent = page.waitForRequest((r) => r.method() === 'POST', { timeout: 10_000 });
        await operation.locator('button.execute').click();
        const request = await sent;
        expect(request.url()).toBe(`${origin}/search`);
        expect((await request.response())?.status()).toBe(200);
        await operation
          .locator('.live-responses-table .response-col_status', { hasText: '200' })
          .first()
          .waitFor();
      });
    });
  },
);
