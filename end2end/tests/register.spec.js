// Registering from an emailed invitation: the green button, the link, name and password.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, inviteByApi, linkInEmail } = require('../support');

test('a carer registers from the link in the invitation email', async ({ page, playwright, baseURL }, testInfo) => {
  test.setTimeout(180_000); // may wait for a fresh authenticator code
  // One Virtual School person per project: each authenticator code works once.
  const staff = testInfo.project.name === 'mobile' ? 'helen.okafor@northdale.example' : 'daniel.reid@northdale.example';
  const email = `new.carer.${testInfo.project.name}@example.com`;
  const api = await playwright.request.newContext({ baseURL });
  await inviteByApi(api, staff, email, 'carer');
  await api.dispose();

  // The sign-in page's green Register button leads to the form.
  await page.goto('/sign-in');
  await expect(page.getByRole('link', { name: 'Register' })).toBeVisible();

  const link = linkInEmail(email, '/register?code=');
  await page.goto(link.pathname + link.search);
  await hydrated(page);
  await expect(page.getByLabel('Invitation code')).not.toHaveValue('');
  await expectNoAxeViolations(page);

  await page.getByLabel('Your full name').fill('Morgan Ellis');
  await page.getByLabel('Create a password', { exact: true }).fill('password');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('alert')).toContainText('too common');
  await expect(page.getByLabel('Your full name')).toHaveValue('Morgan Ellis');

  await page.getByLabel('Create a password', { exact: true }).fill('kettle orbit wander 42');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText('Morgan Ellis');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My children');
});
