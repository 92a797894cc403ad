// Screenshots for the README (docs/*.png) from a running server: a new reader's onboarding,
// the home page after five ratings, a book page and "My taste".
//   usage (from the repository root): node end2end/screenshots/take.mjs [http://127.0.0.1:3000]
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const hydrated = () => page.waitForFunction(() => window.__shelfwiseHydrated === true);

await page.goto(`${base}/`);
await hydrated();
await page.screenshot({ path: 'docs/onboarding.png' });
const onboarding = page.getByTestId('onboarding');
for (let i = 0; i < 5; i++) {
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/rate_book'));
  await onboarding.getByTestId('book-card').first().getByRole('button', { name: '5 stars' }).click();
  await saved;
  await page.waitForTimeout(400);
}
await page.goto(`${base}/`);
await page.getByTestId('for-you').waitFor();
await page.screenshot({ path: 'docs/home.png' });
await page.goto(`${base}/book/059035342X`);
await page.getByTestId('similar').waitFor();
await page.screenshot({ path: 'docs/book.png', fullPage: true });
await page.goto(`${base}/taste`);
await page.getByTestId('taste-authors').waitFor();
await page.screenshot({ path: 'docs/taste.png' });
await browser.close();
