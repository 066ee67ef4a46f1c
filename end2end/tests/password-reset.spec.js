// "Forgotten your password?": the link by email, a new password, then signing in with it.
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;
const fs = require('fs');
const path = require('path');

async function hydrated(page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
}

function resetLinkFor(to) {
  const folder = process.env.EPEP_E2E_MAIL_DIR;
  for (const file of fs.readdirSync(folder)) {
    const text = fs.readFileSync(path.join(folder, file), 'utf8');
    if (text.includes(`To: ${to}\r\n`) && text.includes('reset-password')) {
      return new URL(text.split(/\r?\n/).find((l) => l.includes('/reset-password?token=')));
    }
  }
  throw new Error(`no reset email to ${to}`);
}

test('a young person resets a forgotten password and signs in with the new one', async ({ page }, testInfo) => {
  // One person per project, so the two runs never share an email.
  const email = testInfo.project.name === 'mobile' ? 'chloe.evans@example.com' : 'jayden.walker@example.com';
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByRole('link', { name: 'Forgotten your password?' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reset your password');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByRole('status')).toContainText('Check your email');

  const link = resetLinkFor(email);
  await page.goto(link.pathname + link.search);
  await hydrated(page);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
  await page.getByLabel('New password', { exact: true }).fill('river biscuit thunder 9');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your password has been changed');

  await page.getByRole('link', { name: 'Sign in' }).last().click();
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('river biscuit thunder 9');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your children');
});
