import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run when missing); browser tests skip without it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const PORTAL_DIST = join(__dirname, '../dist/index.html');
export const ARTIFACTS = join(__dirname, '../../../test-artifacts/portal');
/** README screenshots; refreshed only when UPDATE_DOC_SCREENSHOTS=1, so test runs leave the tree clean. */
export const DOC_SCREENSHOTS = join(__dirname, '../../../docs/screenshots');

export function browserSkipReason(): string | undefined {
  if (!existsSync(CHROMIUM)) return `portal browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`;
  return undefined;
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** Saves a full-page screenshot under test-artifacts/portal/<name>.png. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Let charts and fonts settle; the screenshot is evidence, not an assertion.
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A screenshot that also illustrates the README (docs/screenshots/portal-<doc>.png) when UPDATE_DOC_SCREENSHOTS=1. */
export async function shootDoc(page: Page, name: string, doc: string): Promise<void> {
  await shoot(page, name);
  if (process.env.UPDATE_DOC_SCREENSHOTS === '1') {
    mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    copyFileSync(join(ARTIFACTS, `${name}.png`), join(DOC_SCREENSHOTS, `portal-${doc}.png`));
  }
}

/**
 * Form controls on the page that a screen reader would announce without a name: no <label>,
 * aria-label or aria-labelledby (a placeholder is not a label). Hidden controls are ignored.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('input:not([type=hidden]), textarea, select')]
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
      .filter((el) => {
        const by = el.getAttribute('aria-labelledby');
        const named = by && by.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim());
        return !(el.labels?.length && [...el.labels].some((l) => l.textContent?.trim())) && !el.getAttribute('aria-label')?.trim() && !named;
      })
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('type') ? `[type=${el.getAttribute('type')}]` : ''}`),
  );
}

/** Collects uncaught page errors, so a test can assert the UI threw none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

export async function logIn(page: Page, baseUrl: string, username: string): Promise<void> {
  // Start signed out whatever the previous step left behind.
  await page.goto(`${baseUrl}/login`);
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill('Demo@2026');
  await page.getByRole('button', { name: /^登\s*录$/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

export async function logOut(page: Page): Promise<void> {
  await page.getByTestId('user-menu').hover();
  await page.getByText('退出登录').click();
  await page.waitForURL((u) => u.pathname.startsWith('/login'));
}
