import { test as base, expect, Page } from '@playwright/test';

// Cover images point at Amazon's old image host; on a machine without internet (CI, a
// reader offline) the browser logs a failed resource load for each. Those are the
// environment's, not the app's: every other console error or uncaught exception fails a test.
const externalImage = /^https?:\/\/(images\.amazon\.com|images\.gr-assets\.com|s\.gr-assets\.com)\//;

export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const url = msg.location()?.url ?? '';
      if (externalImage.test(url)) return;
      errors.push(`${msg.text()} (${url})`);
    });
    page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
    await use(errors);
    expect(errors, 'console errors').toEqual([]);
  },
});

export { expect };

/** Wait until the wasm bundle has hydrated the page (the loader sets no flag, so watch the
 *  network: the wasm file must have been fetched and instantiated). */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => (window as any).__shelfwiseHydrated === true, null, {
    timeout: 15_000,
  });
}
