// Signing in and out in the browser with a demo account.
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;

const DEMO_PASSWORD = 'northdale-demo-2026';

async function hydrated(page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
}

test('a carer signs in, sees their name in the header, and signs out', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill('grace.adeyemi@example.com');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const account = page.getByRole('navigation', { name: 'Account' });
  await expect(account).toContainText('Grace Adeyemi');
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);

  await account.getByRole('button', { name: 'Sign out' }).click();
  await expect(account.getByRole('link', { name: 'Sign in' })).toBeVisible();
  // The cookie is gone and the server no longer knows the session.
  const cookies = await page.context().cookies();
  expect(cookies.filter((c) => c.name.includes('epep_session'))).toEqual([]);
});

test('a wrong password is reported in the error summary and the email stays', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill('daniel.reid@northdale.example');
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('Enter a correct email address and password');
  await expect(summary).toBeFocused();
  await expect(page.getByLabel('Email address')).toHaveValue('daniel.reid@northdale.example');
});
