// What every browser test shares: waiting for hydration, the axe check, the demo sign-ins and
// the authenticator codes, and reading the emails the server wrote to its mail folder.
const { expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const DEMO_PASSWORD = 'northdale-demo-2026';
const DEMO_TOTP_SECRET = 'NORTHDALEDEMOSECRETFORTRYINGEPEP';
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function hydrated(page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
}

async function expectNoAxeViolations(page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_22_AA).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`);
  expect(summary).toEqual([]);
}

/** RFC 6238 code for a base32 secret, as an authenticator app would show it. */
function totp(secretBase32, unixSeconds = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretBase32.replace(/\s+/g, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const digest = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = digest[19] & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

/** Waits for the next 30-second step, so a code that another test already used is fresh again. */
async function nextTotpStep() {
  const wait = 30_000 - (Date.now() % 30_000) + 200;
  await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Signs in with the password alone (carers and young people without an authenticator app). */
async function signInWithPassword(page, email) {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
}

/**
 * Signs a demo professional in through the pages, second factor included. Each code is accepted
 * once per person, so when a parallel test used this step's code, it waits for the next one.
 */
async function signInWithSecondFactor(page, email) {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/second-factor$/);
  await hydrated(page);
  await passSecondFactor(page, email);
}

/**
 * On the second-factor page, enters the demo authenticator code; if a parallel test already used
 * this 30 s step's code for the same person (each code works once), waits for the next one.
 */
async function passSecondFactor(page, email) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    await page.getByLabel('Code').fill(totp(DEMO_TOTP_SECRET));
    await page.getByRole('button', { name: 'Continue' }).click();
    const done = await page.waitForURL(/\/$/, { timeout: 5_000 }).then(() => true, () => false);
    if (done) return;
    await nextTotpStep();
  }
  throw new Error(`${email} could not pass the second factor`);
}

/**
 * Signs Virtual School staff in through the API (in `request`'s own cookie jar) and invites
 * `email` with `role`. A code is accepted once: if a parallel test used this step's code, the next
 * step's is fresh.
 */
async function inviteByApi(request, staffEmail, email, role) {
  const headers = { 'sec-fetch-site': 'same-origin', accept: 'application/json' };
  const signIn = await request.post('/api/auth/sign_in', { form: { email: staffEmail, password: DEMO_PASSWORD }, headers });
  expect(signIn.status()).toBe(200);
  let verify;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    verify = await request.post('/api/auth/verify_second_factor', { form: { code: totp(DEMO_TOTP_SECRET) }, headers });
    if (verify.status() === 200) break;
    await nextTotpStep();
  }
  expect(verify.status()).toBe(200);
  const invite = await request.post('/api/invitations/create', { form: { email, role }, headers });
  expect(invite.status()).toBe(200);
}

/** The text of the one email to `to` whose body contains `marker`. */
function emailTo(to, marker) {
  const folder = process.env.EPEP_E2E_MAIL_DIR;
  for (const file of fs.readdirSync(folder)) {
    const text = fs.readFileSync(path.join(folder, file), 'utf8');
    if (text.includes(`To: ${to}\r\n`) && text.includes(marker)) return text;
  }
  throw new Error(`no email to ${to} containing ${marker}`);
}

/** The first link in an email that contains `marker`. */
function linkInEmail(to, marker) {
  const line = emailTo(to, marker).split(/\r?\n/).find((l) => l.includes(marker));
  return new URL(line.trim());
}

module.exports = {
  DEMO_PASSWORD, DEMO_TOTP_SECRET, WCAG_22_AA,
  hydrated, expectNoAxeViolations, totp, nextTotpStep, signInWithSecondFactor, signInWithPassword, passSecondFactor, inviteByApi, emailTo,
  linkInEmail,
};
