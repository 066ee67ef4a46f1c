// The idle time-out warning, against a second demo server whose sessions end after one idle
// minute (so the warning comes 30 seconds in): staying signed in keeps what was typed and where
// the person was; letting it end says so, still keeping the page.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, signInWithSecondFactor } = require('../support');

test.use({ baseURL: process.env.EPEP_E2E_SHORT_IDLE_URL });

test('a warning before the idle time-out lets the person stay signed in without losing their typing', async ({ page }, testInfo) => {
  test.setTimeout(300_000); // real time passes: the server decides when a session ends
  const staff = testInfo.project.name === 'mobile' ? 'helen.okafor@northdale.example' : 'daniel.reid@northdale.example';
  await signInWithSecondFactor(page, staff);
  await page.goto('/people');
  await hydrated(page);
  const email = page.getByRole('textbox', { name: 'Email address' });
  await email.fill('typed.before.the.warning@example.org');
  await email.focus();

  const warning = page.getByRole('alertdialog', { name: /You will be signed out/ });
  await expect(warning).toBeVisible({ timeout: 60_000 });
  await expect(warning).toContainText('What you have typed on this page stays here');
  const stay = warning.getByRole('button', { name: 'Stay signed in' });
  await expect(stay).toBeFocused();
  await expectNoAxeViolations(page);

  await stay.click();
  await expect(warning).toBeHidden();
  await expect(email).toHaveValue('typed.before.the.warning@example.org');
  await expect(email).toBeFocused();

  // This time nobody answers: the page says the session ended and keeps the typing.
  await expect(warning).toBeVisible({ timeout: 60_000 });
  const signedOut = page.getByRole('alert').filter({ hasText: 'You have been signed out' });
  await expect(signedOut).toBeVisible({ timeout: 60_000 });
  await expect(signedOut.getByRole('link', { name: 'Sign in again in a new tab' })).toHaveAttribute('target', '_blank');
  await expect(email).toHaveValue('typed.before.the.warning@example.org');
  await expectNoAxeViolations(page);
  const whoAmI = await page.request.post('/api/auth/who_am_i', { headers: { 'sec-fetch-site': 'same-origin', accept: 'application/json' } });
  expect(await whoAmI.json()).toBeNull();
});
