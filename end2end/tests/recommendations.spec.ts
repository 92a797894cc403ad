import { test, expect, waitForHydration } from './fixtures';
import type { Page, Locator } from '@playwright/test';

/** Rate a card and wait until the server acknowledged it. */
async function rate(page: Page, card: Locator, stars: number) {
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/rate_book'));
  await card.getByRole('button', { name: `${stars} stars` }).click();
  expect((await saved).ok()).toBeTruthy();
}

async function forYouIsbns(page: Page): Promise<string[]> {
  const links = page.getByTestId('for-you-list').getByTestId('book-card').locator('a.book-card-link');
  return (await links.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? '')));
}

test('a new reader onboards, gets explained recommendations that change as they act', async ({ page, consoleErrors }) => {
  await page.goto('/');
  await waitForHydration(page);
  const onboarding = page.getByTestId('onboarding');
  await expect(onboarding.getByRole('heading', { name: /Tell us what you like/ })).toBeVisible();
  // Picking an author refreshes the books to rate.
  const chip = onboarding.getByRole('button', { pressed: false }).first();
  const author = (await chip.textContent())!.trim();
  await chip.click();
  await expect(onboarding.getByRole('button', { name: author })).toHaveAttribute('aria-pressed', 'true');
  await expect(onboarding.getByTestId('book-card').first()).toContainText(author);

  // Rate five books from the onboarding list; "For you" appears after the first.
  const rated: string[] = [];
  for (let i = 0; i < 5; i++) {
    const card = onboarding.getByTestId('book-card').first();
    rated.push((await card.locator('.book-title').textContent())!.trim());
    await rate(page, card, 5 - (i % 2));
    if (i < 4) {
      await expect(onboarding.getByRole('heading', { level: 2 })).toContainText(`(${i + 1} of 5)`);
    }
  }
  await expect(onboarding).toHaveCount(0);
  const forYou = page.getByTestId('for-you');
  await expect(forYou.getByTestId('rec').first()).toBeVisible();
  // Explanations name the books the reader rated.
  const reasons = await forYou.getByTestId('why').allTextContents();
  expect(reasons.some((r) => rated.some((t) => r.includes(t)))).toBeTruthy();
  // "Because you liked" rows for the favourites, and popular books last.
  await expect(page.getByTestId('because').first()).toBeVisible();
  await expect(page.getByTestId('popular')).toBeVisible();

  // One more rating changes the list in place: no reload (the marker survives).
  await page.evaluate(() => ((window as any).__noReload = true));
  const before = await forYouIsbns(page);
  await rate(page, forYou.getByTestId('book-card').first(), 5);
  await expect.poll(() => forYouIsbns(page)).not.toEqual(before);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // "Not interested" removes a book, for good.
  const victim = forYou.getByTestId('book-card').first();
  const href = (await victim.locator('a.book-card-link').getAttribute('href'))!;
  const dismissed = page.waitForResponse((r) => r.url().endsWith('/api/shelve_book'));
  await victim.getByTestId('shelf-select').selectOption('not-interested');
  expect((await dismissed).ok()).toBeTruthy();
  await expect.poll(() => forYouIsbns(page)).not.toContain(href);
  await page.reload();
  await expect(forYou.getByTestId('rec').first()).toBeVisible();
  expect(await forYouIsbns(page)).not.toContain(href);
  await page.getByRole('button', { name: 'More' }).click();
  await expect.poll(async () => (await forYouIsbns(page)).length).toBeGreaterThan(20);
  expect(await forYouIsbns(page)).not.toContain(href);

  // My taste draws the profile.
  await page.goto('/taste');
  await expect(page.getByTestId('taste-authors')).toBeVisible();
  await expect(page.getByTestId('taste-decades')).toBeVisible();
});

test('a book page shows both similar-book rows', async ({ page, consoleErrors }) => {
  await page.goto('/book/059035342X');
  await expect(page.getByTestId('also-liked').getByTestId('book-card').first()).toBeVisible();
  await expect(page.getByTestId('similar').getByTestId('book-card').first()).toBeVisible();
  const hrefs = await page.getByTestId('also-liked').locator('a.book-card-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(hrefs).not.toContain('/book/059035342X');
});

test('the home page is light, lazy and steady', async ({ page, consoleErrors }) => {
  // Collect layout shifts from the first paint on.
  await page.addInitScript(() => {
    (window as any).__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as any[]) if (!e.hadRecentInput) (window as any).__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto('/');
  await waitForHydration(page);
  await page.waitForLoadState('networkidle');
  // Everything transferred from our own origin (HTML, wasm, JS, CSS), compressed.
  const bytes = await page.evaluate(() => {
    const own = (e: PerformanceResourceTiming) => e.name.startsWith(location.origin);
    const nav = performance.getEntriesByType('navigation') as PerformanceResourceTiming[];
    const res = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(own);
    return [...nav, ...res].reduce((sum, e) => sum + e.transferSize, 0);
  });
  console.log(`home page transferred: ${bytes} bytes`);
  expect(bytes).toBeGreaterThan(100_000);
  expect(bytes).toBeLessThan(600 * 1024);
  // Covers below the fold wait until they are needed, and nothing jumps as they load.
  const lazy = await page.locator('.cover img').evaluateAll((imgs) => imgs.every((i) => i.getAttribute('loading') === 'lazy'));
  expect(lazy).toBeTruthy();
  expect(await page.evaluate(() => (window as any).__cls)).toBeLessThan(0.05);
});
