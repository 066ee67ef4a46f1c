// The first pages: rendered on the server, hydrated in the browser, accessible at both sizes.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations } = require('../support');

test.describe('before hydration', () => {
  test.use({ javaScriptEnabled: false });

  test('the start page and the sign-in form are in the server-rendered HTML', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Personal Education Plans for children in care');
    await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
    await page.goto('/sign-in');
    await expect(page.getByLabel('Email address')).toBeVisible();
    await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('type', 'password');
  });
});

test('after hydration the password can be shown and hidden', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A Content Security Policy refusal shows up as a console error, not a page error.
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto('/sign-in');
  await hydrated(page);
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Show password' }).click();
  await expect(password).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Hide password' }).click();
  await expect(password).toHaveAttribute('type', 'password');
  await expect(password).toHaveValue('correct horse battery staple');
  expect(errors).toEqual([]);
});

test('submitting an incomplete form shows an error summary, focuses it and keeps what was typed', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill('sarah.whitfield');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('There is a problem');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link', { name: /correct format/ })).toHaveAttribute('href', '#email');
  await expect(summary.getByRole('link', { name: 'Enter your password' })).toHaveAttribute('href', '#password');
  await expect(page.getByLabel('Email address')).toHaveValue('sarah.whitfield');
  await expect(page).toHaveTitle(/^Error: Sign in/);
  await expectNoAxeViolations(page);
});

for (const path of ['/', '/sign-in', '/no-such-page']) {
  test(`axe finds no WCAG 2.2 AA violations on ${path}`, async ({ page }) => {
    await page.goto(path);
    await hydrated(page);
    await expectNoAxeViolations(page);
  });
}

test('nothing overflows sideways at 320 px', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  for (const path of ['/', '/sign-in']) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
  await context.close();
});

test('the client is sent compressed to browsers that accept it', async ({ request }) => {
  for (const [encoding, expected] of [['br', 'br'], ['gzip', 'gzip'], ['identity', undefined]]) {
    const response = await request.get('/pkg/epep_bg.wasm', { headers: { 'Accept-Encoding': encoding } });
    expect(response.status()).toBe(200);
    expect(response.headers()['content-encoding'], encoding).toBe(expected);
  }
});
