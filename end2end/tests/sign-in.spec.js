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

  // Their account page lists where they are signed in, this device included.
  await account.getByRole('link', { name: 'Grace Adeyemi' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  await expect(page.locator('.session-list')).toContainText('This device');
  const accountResults = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(accountResults.violations.map((v) => v.id)).toEqual([]);

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

// RFC 6238 code for the published demo secret, as an authenticator app would show it.
const crypto = require('crypto');
const DEMO_TOTP_SECRET = 'NORTHDALEDEMOSECRETFORTRYINGEPEP';
function totp(secretBase32, unixSeconds = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretBase32) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const digest = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = digest[19] & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

test('a designated teacher passes the second factor with the demo authenticator code', async ({ page }, testInfo) => {
  // One teacher per project: each code is accepted once.
  const email = testInfo.project.name === 'mobile' ? 's.whitfield@brookfield.example' : 'i.hussain@riverside.example';
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/second-factor$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Enter your code');
  await hydrated(page);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);

  await page.getByLabel('Code').fill('000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText('not right');
  await page.getByLabel('Code').fill(totp(DEMO_TOTP_SECRET));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText(/Sarah Whitfield|Imran Hussain/);
  // Only the pupils on the teacher's own school roll.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your children');
  const pupils = page.locator('.child-list li');
  if (email.startsWith('s.whitfield')) {
    await expect(pupils).toHaveCount(6);
    await expect(page.locator('.child-list')).not.toContainText('Riverside');
  } else {
    await expect(pupils).toHaveCount(3);
    await expect(page.locator('.child-list')).toContainText('Chloe Evans');
  }
});

test('the authenticator set-up page shows a QR code and a key to type, and passes axe', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill('linda.bennett@example.com');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText('Linda Bennett');
  await page.goto('/second-factor/setup');
  await hydrated(page);
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  await expect(page.locator('.secret-key')).toHaveText(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
});
