// Registering from an emailed invitation: the green button, the link, name and password.
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const DEMO_PASSWORD = 'northdale-demo-2026';
const DEMO_TOTP_SECRET = 'NORTHDALEDEMOSECRETFORTRYINGEPEP';

function totp(secretBase32) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretBase32) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const digest = crypto.createHmac('sha1', key).update(counter).digest();
  const value = (digest.readUInt32BE(digest[19] & 0x0f) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

async function hydrated(page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
}

/** Signs in through the API as Virtual School staff and invites `email` as a carer. */
async function inviteCarer(request, staffEmail, email) {
  const headers = { 'sec-fetch-site': 'same-origin', accept: 'application/json' };
  const signIn = await request.post('/api/auth/sign_in', { form: { email: staffEmail, password: DEMO_PASSWORD }, headers });
  expect(signIn.status()).toBe(200);
  const verify = await request.post('/api/auth/verify_second_factor', { form: { code: totp(DEMO_TOTP_SECRET) }, headers });
  expect(verify.status()).toBe(200);
  const invite = await request.post('/api/invitations/create', { form: { email, role: 'carer' }, headers });
  expect(invite.status()).toBe(200);
}

function linkFromEmail(to) {
  const folder = process.env.EPEP_E2E_MAIL_DIR;
  for (const file of fs.readdirSync(folder)) {
    const text = fs.readFileSync(path.join(folder, file), 'utf8');
    if (text.includes(`To: ${to}\r\n`)) return text.split(/\r?\n/).find((l) => l.includes('/register?code='));
  }
  throw new Error(`no email to ${to}`);
}

test('a carer registers from the link in the invitation email', async ({ page, playwright, baseURL }, testInfo) => {
  // One Virtual School person per project: each authenticator code works once.
  const staff = testInfo.project.name === 'mobile' ? 'helen.okafor@northdale.example' : 'daniel.reid@northdale.example';
  const email = `new.carer.${testInfo.project.name}@example.com`;
  const api = await playwright.request.newContext({ baseURL });
  await inviteCarer(api, staff, email);
  await api.dispose();

  // The sign-in page's green Register button leads to the form.
  await page.goto('/sign-in');
  await expect(page.getByRole('link', { name: 'Register' })).toBeVisible();

  const link = linkFromEmail(email);
  await page.goto(new URL(link).pathname + new URL(link).search);
  await hydrated(page);
  await expect(page.getByLabel('Invitation code')).not.toHaveValue('');
  let results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);

  await page.getByLabel('Your full name').fill('Morgan Ellis');
  await page.getByLabel('Create a password', { exact: true }).fill('password');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('alert')).toContainText('too common');
  await expect(page.getByLabel('Your full name')).toHaveValue('Morgan Ellis');

  await page.getByLabel('Create a password', { exact: true }).fill('kettle orbit wander 42');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText('Morgan Ellis');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your children');
});
