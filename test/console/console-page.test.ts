import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, saveScreenshot, SKIP_REASON, withPage } from './browser.js';
import { DOCS_COLLECTION, startConsoleServer, type ConsoleServer } from './console-server.js';

const TOKEN = 'console-browser-token';
/** Evaluated in the page: the token the console keeps for the tab. */
const STORED_TOKEN = "sessionStorage.getItem('kbgate.token')";

describe.skipIf(SKIP_REASON !== '')(
  `the console in headless Chromium${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`,
  () => {
    let kbgate: ConsoleServer;
    let browser: Browser;

    beforeAll(async () => {
      kbgate = await startConsoleServer({ KBGATE_AUTH_TOKEN: TOKEN });
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await kbgate?.close();
    });

    /** Opens the console and signs in with the token, as a person would. */
    async function signIn(page: Page, hash = ''): Promise<void> {
      await page.goto(`${kbgate.baseUrl}/${hash}`);
      await page.getByLabel('Token').fill(TOKEN);
      await page.getByLabel('Token').press('Enter');
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
    }

    it('should ask for the token, refuse a wrong one, and keep the right one for the tab only', async () => {
      await withPage(browser, 'sign-in', async (page) => {
        await page.goto(`${kbgate.baseUrl}/`);
        await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
        await saveScreenshot(page, 'sign-in');
        await page.getByLabel('Token').fill('wrong');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('kbgate refused that token.').waitFor();
        expect(await page.evaluate(STORED_TOKEN)).toBeNull();

        await page.getByLabel('Token').fill(TOKEN);
        await page.getByLabel('Token').press('Enter');
        await page.getByRole('heading', { name: 'Overview' }).waitFor();
        expect(await page.evaluate(STORED_TOKEN)).toBe(TOKEN);
        expect(await page.evaluate('localStorage.length')).toBe(0);
        await page.reload();
        await page.getByRole('heading', { name: 'Overview' }).waitFor();

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        expect(await page.evaluate(STORED_TOKEN)).toBeNull();
      });
    });

    it('should show collections with counts, the last ingest and the status checks', async () => {
      await withPage(browser, 'overview', async (page) => {
        await signIn(page);
        const docs = page.getByRole('row', { name: new RegExp(`^${DOCS_COLLECTION}\\b`) });
        await docs.waitFor();
        const cells = await docs.getByRole('cell').allInnerTexts();
        expect(cells[0]).toMatch(/^\d+$/);
        expect(cells[1]).toContain('openai:bag-of-words');
        expect(cells[3]).toMatch(/6 files \(6 added, 0 updated\), \d+ chunks/);
        expect(cells[3]).toContain('no failures');
        await page.locator('.check.ok', { hasText: 'embeds queries' }).first().waitFor();
        await page.locator('.check', { hasText: 'KBGATE_UPSTREAM_URL' }).waitFor();
        await saveScreenshot(page, 'overview', true);
      });
    });

    it('should search in English, highlight the words and show what the proxy would add', async () => {
      await withPage(browser, 'search-english', async (page) => {
        await signIn(page, '#/search');
        await page.getByRole('heading', { name: 'Search' }).click();
        await page.keyboard.press('/');
        await page.keyboard.type('How do I restore a backup?');
        await page.keyboard.press('Enter');
        const first = page.locator('.hit').first();
        await first.waitFor();
        expect(await first.locator('.cite').innerText()).toContain('guide/backup.md#');
        const marks = await first.locator('mark').allInnerTexts();
        expect(marks.map((m) => m.toLowerCase())).toEqual(expect.arrayContaining(['restore', 'backup']));
        const outcome = page.locator('.preview .outcome');
        await outcome.waitFor();
        expect(await outcome.getAttribute('data-outcome')).toBe('added');
        expect(await page.locator('.preview .added li').first().innerText()).toContain('guide/backup.md');
        expect(await page.locator('.preview .budget').innerText()).toMatch(/tokens left for passages/);
        await saveScreenshot(page, 'search');
        await page.getByText('The message the model receives').click();
        expect(await page.locator('pre.message').innerText()).toMatch(
          /Question:\nHow do I restore a backup\?$/,
        );
      });
    });

    it('should search in Chinese, and say why the proxy adds nothing to small talk', async () => {
      await withPage(browser, 'search-chinese', async (page) => {
        await signIn(page, '#/search');
        await page.getByLabel('Mode', { exact: true }).selectOption('lexical');
        await page.getByLabel('Question').fill('如何备份知识库');
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        const first = page.locator('.hit').first();
        await first.waitFor();
        expect(await first.locator('.cite').innerText()).toContain('zh/faq.md');
        expect(await first.locator('mark').allInnerTexts()).toEqual(
          expect.arrayContaining(['备份知识库', '备份']),
        );
        expect(page.url()).toContain(
          `#/search?q=${encodeURIComponent('如何备份知识库').replace(/%20/g, '+')}`,
        );

        await page.getByLabel('Question').fill('Tell me a joke about penguins');
        await page.getByLabel('Question').press('Enter');
        const outcome = page.locator('.preview .outcome[data-outcome="below-threshold"]');
        await outcome.waitFor();
        expect(await outcome.innerText()).toMatch(/least relevance 0\.5/);
      });
    });

    it('should open a record from a result and show its document, source and the other chunks of its file', async () => {
      await withPage(browser, 'record', async (page) => {
        await signIn(page, `#/search?q=${encodeURIComponent('Резервное копирование')}`);
        const first = page.locator('.hit').first();
        await first.waitFor();
        await first.getByRole('link').click();
        await page.getByRole('heading', { name: 'Document' }).waitFor();
        const facts = await page.locator('.facts.source').innerText();
        expect(facts).toContain('ru/setup.md');
        expect(facts).toMatch(/Lines\s+\d+–\d+/);
        expect(await page.locator('pre.document').innerText()).toContain('скопируйте каталог данных');
        expect(await page.locator('.metadata').innerText()).toContain('file_hash');
        await page.locator('.siblings [aria-current]').waitFor();
        await saveScreenshot(page, 'record', true);
      });
    });

    it('should page through a collection and filter it by text, in Thai too', async () => {
      await withPage(browser, 'collections', async (page) => {
        await signIn(page, '#/browse/handbook');
        await page.locator('.record-row').first().waitFor();
        expect(await page.getByRole('status').innerText()).toBe('Records 1–9 of 9');
        await page.getByLabel('Collection').selectOption(DOCS_COLLECTION);
        await page.waitForURL(/#\/browse\/docs$/);
        await page.locator('.record-row').first().waitFor();
        await saveScreenshot(page, 'collections');
        await page.getByLabel('Filter').fill('สำรองข้อมูล');
        await page.getByLabel('Filter').press('Enter');
        await page
          .getByRole('status')
          .filter({ hasText: /^Records 1–\d+$/ })
          .waitFor();
        const rows = await page.locator('.record-row .cite').allInnerTexts();
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) expect(row).toContain('th/intro.md');
        await page.locator('.record-row a').first().focus();
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { name: 'Document' }).waitFor();
      });
    });

    it('should be readable on a phone', async () => {
      await withPage(
        browser,
        'phone',
        async (page) => {
          await signIn(page, `#/search?q=${encodeURIComponent('การสำรองข้อมูล')}&mode=lexical`);
          await page.locator('.hit').first().waitFor();
          await page.locator('.preview .outcome').waitFor();
          const overflow = await page.evaluate<number>(
            'document.documentElement.scrollWidth - window.innerWidth',
          );
          expect(overflow).toBeLessThanOrEqual(0);
          await saveScreenshot(page, 'phone');
        },
        { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
      );
    });
  },
);

describe.skipIf(SKIP_REASON !== '')(
  `the console behind HTTP Basic (KBGATE_HTPASSWD_FILE)${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`,
  () => {
    let dir: string;
    let kbgate: ConsoleServer;
    let browser: Browser;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'kbgate-console-basic-'));
      const file = join(dir, 'htpasswd');
      await writeFile(file, `reader:${bcrypt.hashSync('secret', 4)}\n`);
      kbgate = await startConsoleServer({ KBGATE_AUTH_TOKEN: TOKEN, KBGATE_HTPASSWD_FILE: file });
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await kbgate?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("should load the data with the credentials the browser's sign-in dialog gives", async () => {
      await withPage(
        browser,
        'basic',
        async (page) => {
          await page.goto(`${kbgate.baseUrl}/`);
          await page.getByRole('row', { name: new RegExp(`^${DOCS_COLLECTION}\\b`) }).waitFor();
          expect(await page.evaluate(STORED_TOKEN)).toBeNull();
        },
        { httpCredentials: { username: 'reader', password: 'secret' } },
      );
    });
  },
);
