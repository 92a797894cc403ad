import { test, expect, waitForHydration } from './fixtures';

test('the popular list shows covers and pages', async ({ page, consoleErrors }) => {
  await page.goto('/popular');
  await expect(page.getByRole('heading', { level: 1, name: 'Popular books' })).toBeVisible();
  const cards = page.getByTestId('book-card');
  await expect(cards).toHaveCount(24);
  // Every card has a cover laid out at its final size, whether or not the image loaded.
  for (const cover of await page.getByTestId('cover').all()) {
    const box = await cover.boundingBox();
    expect(box && box.width > 40 && box.height > box.width).toBeTruthy();
  }
  await expect(cards.first().locator('.cover-title')).not.toBeEmpty();
  // An image that did not load (offline here) stays invisible: no broken-image icon.
  for (const img of await page.locator('.cover img:not(.loaded)').all()) {
    expect(await img.evaluate((el) => getComputedStyle(el).opacity)).toBe('0');
  }
  await page.getByRole('link', { name: 'Next →' }).click();
  await expect(page).toHaveURL(/\?page=2$/);
  await expect(page.getByText('Page 2 of')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('typing suggests books and the book page opens', async ({ page, consoleErrors }) => {
  await page.goto('/');
  await waitForHydration(page);
  const box = page.getByRole('combobox', { name: /search books/i });
  await box.pressSequentially('harry potter', { delay: 30 });
  // Suggestions come from the hydrated client: proof that the page is interactive.
  const options = page.getByRole('option');
  await expect(options.first()).toBeVisible();
  await expect(options.first()).toContainText(/harry potter/i);
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=harry(\+|%20)potter/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('harry potter');
  const first = page.getByTestId('book-card').first();
  await expect(first).toContainText(/harry potter/i);
  await first.getByRole('link').click();
  await expect(page).toHaveURL(/\/book\/[0-9X]{10}$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/harry potter/i);
  await expect(page.getByTestId('histogram')).toBeVisible();
  await expect(page.getByRole('heading', { name: /Editions \(\d+\)/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Readers who liked this also liked' })).toBeVisible();
});

test('a typo still finds the book', async ({ page, consoleErrors }) => {
  await page.goto('/search?q=hary%20poter%20sorcerers');
  await expect(page.getByTestId('book-card').first()).toContainText(/harry potter/i);
});

test('suggestions can be chosen with the keyboard', async ({ page, consoleErrors }) => {
  await page.goto('/');
  await waitForHydration(page);
  const box = page.getByRole('combobox', { name: /search books/i });
  await box.pressSequentially('the hobbit', { delay: 30 });
  await expect(page.getByRole('option').first()).toBeVisible();
  await box.press('ArrowDown');
  await expect(box).toHaveAttribute('aria-activedescendant', 'search-option-0');
  await expect(page.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/book\//);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/hobbit/i);
});

test('an unknown book answers 404 with a clear message', async ({ page }) => {
  // Not the consoleErrors fixture: Chromium logs the page's own 404 status as an error.
  const uncaught: string[] = [];
  page.on('pageerror', (err) => uncaught.push(err.message));
  const response = await page.goto('/book/0000000000');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('alert')).toContainText('No book with ISBN 0000000000');
  expect(uncaught).toEqual([]);
});

test('the page reads without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/search?q=tolkien');
  await expect(page.getByTestId('book-card').first()).toBeVisible();
  await context.close();
});
