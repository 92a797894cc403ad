import { readFileSync } from 'node:fs';
import { test, expect, waitForHydration } from './fixtures';
import type { Page } from '@playwright/test';

const PASSWORD = 'a long enough passphrase';
// A hand-written Goodreads export (engine/tests/fixtures/goodreads/SOURCE.md): 26 rows, of
// which 20 are in Book-Crossing (13 by ISBN-10, 3 by ISBN-13, 4 by title and author).
const GOODREADS_CSV = '../engine/tests/fixtures/goodreads/library_export.csv';

/** A username no earlier run has taken (the e2e store outlives a run). */
function freshName(project: string): string {
  return `r${Date.now().toString(36)}_${project}`.slice(0, 32);
}

/** Do `act` and wait until the server acknowledged the write it causes. */
async function saved(page: Page, endpoint: string, act: () => Promise<void>) {
  const response = page.waitForResponse((r) => r.url().endsWith(`/api/${endpoint}`));
  await act();
  expect((await response).ok()).toBeTruthy();
}

async function signUp(page: Page, name: string) {
  await page.goto('/signup');
  await waitForHydration(page);
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
}

test('sign up, rate with mouse and keyboard, keep it across reloads and logins, import and export', async ({ page, consoleErrors }, info) => {
  const name = freshName(info.project.name);
  await signUp(page, name);
  await expect(page).toHaveURL(/\/$/);
  // The popular list keeps its order as the reader rates (home's lists change on purpose).
  await page.goto('/popular');
  await waitForHydration(page);

  const cards = page.getByTestId('book-card');
  const first = cards.nth(0);
  const second = cards.nth(1);
  const third = cards.nth(2);
  const firstIsbn = (await first.getByRole('link').first().getAttribute('href'))!;

  // Mouse: hovering previews, clicking rates.
  await first.getByRole('button', { name: '2 stars' }).hover();
  await expect(first.getByTestId('star-input')).toHaveAttribute('data-shown', '2');
  await saved(page, 'rate_book', () => first.getByRole('button', { name: '4 stars' }).click());
  await expect(first.getByTestId('star-input')).toHaveAttribute('data-rating', '4');

  // Keyboard: focus the stars, arrows to choose, Enter to rate.
  const stars = second.getByTestId('star-input');
  await stars.focus();
  for (let i = 0; i < 3; i++) await stars.press('ArrowRight');
  await saved(page, 'rate_book', () => stars.press('Enter'));
  await expect(stars).toHaveAttribute('data-rating', '3');

  // A shelf.
  await saved(page, 'shelve_book', () => third.getByTestId('shelf-select').selectOption('want-to-read'));

  // Kept across a reload.
  await page.reload();
  await expect(first.getByTestId('star-input')).toHaveAttribute('data-rating', '4');
  await expect(second.getByTestId('star-input')).toHaveAttribute('data-rating', '3');
  await expect(third.getByTestId('shelf-select')).toHaveValue('want-to-read');

  // Log out: the ratings are not shown to nobody.
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
  await page.goto('/popular');
  await expect(first.getByTestId('star-input')).toHaveAttribute('data-rating', '0');

  // Log in: all back.
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  await page.goto(firstIsbn);
  await expect(page.locator('.book-page-facts').getByTestId('star-input')).toHaveAttribute('data-rating', '4');
  await page.goto('/my-books');
  await expect(page.getByRole('link', { name: 'All (3)' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Rated (2)' })).toBeVisible();

  // Import a Goodreads export.
  await page.goto('/settings');
  await page.getByTestId('import-form').locator('input[type=file]').setInputFiles(GOODREADS_CSV);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page).toHaveURL(/\/import$/);
  // A signed-in reader's rows that match nothing become catalog books: all 26 are kept.
  // (The other browser project may have added those six first: then all 26 are found.)
  const counts = await page.getByTestId('import-counts').textContent();
  const [, found, added] = counts!.match(/(\d+) of 26 books found in the catalog, (\d+) added to it/)!;
  expect([[20, 6], [26, 0]]).toContainEqual([Number(found), Number(added)]);
  await expect(page.getByTestId('unmatched')).toHaveCount(0);
  await page.goto('/my-books');
  // 26 rows, of which some may be books this reader already had from the home page.
  const all = await page.getByRole('link', { name: /^All \(\d+\)$/ }).textContent();
  const total = Number(all!.match(/\d+/)![0]);
  expect(total).toBeGreaterThanOrEqual(26);
  expect(total).toBeLessThanOrEqual(29);

  // The book page shows the reader's own notes from the file.
  await page.goto('/book/059035342X');
  await expect(page.getByTestId('my-review')).toHaveText('Read it aloud twice. Still magic.');
  await expect(page.getByTestId('my-notes')).toContainText('2003/07/14');

  // My reading, by year: the years of the dates read the file gave, oldest first.
  await page.goto('/taste');
  await expect(page.getByTestId('taste-years')).toHaveAttribute(
    'aria-label',
    /^Books read per year: 1998: \d+ books.*2016: \d+ books, \d+ pages$/,
  );

  // Export: the CSV has Goodreads' header and the imported books.
  await page.goto('/settings');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-csv').click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.startsWith('Book Id,Title,Author,Author l-f')).toBeTruthy();
  expect(csv).toContain('"=""059035342X"""'); // Goodreads' ="…" wrapping, CSV-quoted
  expect(csv.trim().split('\n').length).toBe(1 + total);
});

test('a reader writes notes and tags, filters by tag, sets a goal and adds a book', async ({ page, consoleErrors }, info) => {
  const name = freshName(info.project.name);
  await signUp(page, name);

  // Notes on a book the reader brought nothing for: written in the form, shown at once.
  await page.goto('/book/059035342X');
  await waitForHydration(page);
  await page.getByText('Add a review, dates read, tags or notes').click();
  await page.getByLabel('Review').fill('Loved the owl post.\nRead it <b>twice</b>.');
  await page.getByLabel('Dates read').fill('2024-3-9');
  await page.getByLabel('Tags (comma-separated)').fill('magic, comfort-read');
  await saved(page, 'save_notes', () => page.getByRole('button', { name: 'Save notes' }).click());
  await expect(page.getByTestId('my-review')).toContainText('Loved the owl post.');
  await expect(page.getByTestId('my-review').locator('b')).toHaveText('twice');
  await expect(page.getByTestId('my-notes')).toContainText('2024/03/09');
  await expect(page.getByTestId('my-notes')).toContainText('comfort-read');
  // A day that does not exist is refused with a message, and nothing changes. (The notes
  // refetch after a save and draw the form anew, folded: open it once that has happened.)
  const edit = page.getByTestId('edit-notes');
  await expect(async () => {
    if (!(await edit.evaluate((d) => (d as HTMLDetailsElement).open))) {
      await edit.getByText('Edit my notes').click();
    }
    await expect(page.getByLabel('Dates read')).toBeVisible({ timeout: 1_000 });
  }).toPass();
  await page.getByLabel('Dates read').fill('2024/02/30');
  await page.getByRole('button', { name: 'Save notes' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not a date' })).toBeVisible();
  // The browser logs the refused request (400) as a console error: the one this step expects.
  const refused = (e: string) => e.includes('400') && e.includes('/api/save_notes');
  await expect.poll(() => consoleErrors.filter(refused).length).toBe(1);
  consoleErrors.splice(consoleErrors.findIndex(refused), 1);
  await page.reload();
  await expect(page.getByTestId('my-notes')).toContainText('2024/03/09');

  // "My books" filters by the tag.
  await page.goto('/my-books');
  await page.getByTestId('tag-filters').getByRole('link', { name: 'comfort-read (1)' }).click();
  await expect(page).toHaveURL(/\?tag=comfort-read/);
  await expect(page.getByTestId('my-books').getByTestId('book-card')).toHaveCount(1);

  // A goal for this year, drawn against the books read this year (none yet).
  await page.goto('/taste');
  await waitForHydration(page);
  await page.getByTestId('reading-goal').getByRole('spinbutton').fill('12');
  await saved(page, 'reading_goal', () => page.getByRole('button', { name: 'Save goal' }).click());
  await expect(page.getByTestId('goal-text')).toHaveText(/^0 of 12 books read in \d{4}$/);

  // A book the catalog lacks: from the search page, then searchable at once.
  const title = `Marginalia of ${name}`;
  await page.goto(`/search?q=${encodeURIComponent(title)}`);
  await page.getByTestId('add-book-link').click();
  await expect(page).toHaveURL(/\/add-book\?title=/);
  await waitForHydration(page);
  await expect(page.getByRole('textbox', { name: 'Title' })).toHaveValue(title);
  await page.getByLabel('Author(s)').fill('Ada Quillfeather');
  await page.getByRole('button', { name: 'Add book' }).click();
  // Books it may be are offered first; this one is none of them.
  const added = page.getByTestId('book-added');
  const offered = page.getByTestId('candidates');
  await expect(added.or(offered)).toBeVisible();
  if (await offered.isVisible()) {
    await page.getByTestId('none-of-these').locator('input').check();
    await page.getByRole('button', { name: 'Add book' }).click();
  }
  await added.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  // (The e2e store keeps earlier runs' books of the same author: this one is among the hits.)
  await page.goto(`/search?q=${encodeURIComponent(`${title} quillfeather`)}`);
  await expect(page.getByTestId('book-card').filter({ hasText: title }).first()).toBeVisible();
});

test('an anonymous reader rates, then signs up and keeps the rating', async ({ page, consoleErrors }, info) => {
  await page.goto('/search?q=the%20hobbit');
  await waitForHydration(page);
  const card = page.getByTestId('book-card').first();
  await saved(page, 'rate_book', () => card.getByRole('button', { name: '5 stars' }).click());
  await page.reload();
  await expect(card.getByTestId('star-input')).toHaveAttribute('data-rating', '5');
  await signUp(page, freshName(info.project.name));
  await page.goto('/my-books');
  await expect(page.getByRole('link', { name: 'Rated (1)' })).toBeVisible();
});

test('a refused rating rolls back with a message', async ({ page, consoleErrors }) => {
  await page.goto('/search?q=dune');
  await waitForHydration(page);
  await page.route('**/api/rate_book', (route) =>
    route.fulfill({
      status: 400,
      contentType: 'application/json',
      headers: { serverfnerror: 'true' },
      body: JSON.stringify({ Invalid: 'Refused for this test.' }),
    }),
  );
  const card = page.getByTestId('book-card').first();
  await card.getByRole('button', { name: '3 stars' }).click();
  await expect(card.getByRole('alert')).toContainText('Your rating was not saved');
  await expect(card.getByTestId('star-input')).toHaveAttribute('data-rating', '0');
  // The browser logs the refused request itself; that one is expected here.
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !e.includes('400')));
});
