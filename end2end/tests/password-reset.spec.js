// "Forgotten your password?": the link by email, a new password, then signing in with it.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, linkInEmail } = require('../support');

const resetLinkFor = (to) => linkInEmail(to, '/reset-password?token=');

test('a young person resets a forgotten password and signs in with the new one', async ({ page }, testInfo) => {
  // Once, at phone size: Jayden, the other young person, writes his views in pep-form.spec.js
  // with the demo password.
  test.skip(testInfo.project.name !== 'mobile', 'one young person to spare');
  const email = 'chloe.evans@example.com';
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
  await expectNoAxeViolations(page);
  await page.getByLabel('New password', { exact: true }).fill('river biscuit thunder 9');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your password has been changed');

  await page.getByRole('link', { name: 'Sign in' }).last().click();
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('river biscuit thunder 9');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // A young person's list is their own PEP.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My PEP');
});
