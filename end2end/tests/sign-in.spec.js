// Signing in and out in the browser with a demo account.
const { test, expect } = require('@playwright/test');
const {
  DEMO_PASSWORD, DEMO_TOTP_SECRET, hydrated, expectNoAxeViolations, totp, passSecondFactor, inviteByApi, linkInEmail,
  emailTo,
} = require('../support');

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
  await expectNoAxeViolations(page);

  // Their account page lists where they are signed in, this device included.
  await account.getByRole('link', { name: 'Grace Adeyemi' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  await expect(page.locator('.session-list')).toContainText('This device');
  await expectNoAxeViolations(page);

  // Signed out in another tab: the next move within this one shows it in the header (it kept
  // the name until a reload).
  const otherTab = await page.context().newPage();
  await otherTab.goto('/');
  await hydrated(otherTab);
  await otherTab.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(otherTab.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
  await otherTab.close();
  await expect(account).toContainText('Grace Adeyemi');
  await page.getByRole('link', { name: 'ePEP', exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(account.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(account).not.toContainText('Grace Adeyemi');

  // Signed in again, then out from the header.
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill('grace.adeyemi@example.com');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(account).toContainText('Grace Adeyemi');
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

test('a designated teacher passes the second factor with the demo authenticator code', async ({ page }, testInfo) => {
  test.setTimeout(180_000); // may wait up to 30 s if a parallel test used this step's code
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
  await expectNoAxeViolations(page);

  await page.getByRole('textbox', { name: 'Code' }).fill('000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText('not right');
  await passSecondFactor(page, email);
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText(/Sarah Whitfield|Imran Hussain/);
  // Only the pupils on the teacher's own school roll.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My pupils');
  const pupils = page.locator('.child-list li');
  if (email.startsWith('s.whitfield')) {
    await expect(pupils).toHaveCount(6);
    await expect(page.locator('.child-list')).not.toContainText('Riverside');
  } else {
    await expect(pupils).toHaveCount(3);
    await expect(page.locator('.child-list')).toContainText('Chloe Evans');
  }

  // A designated teacher invites a colleague at their own school.
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Invite a colleague' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Invite a colleague');
  await hydrated(page);
  const colleague = `deputy.${testInfo.project.name}@school.example`;
  await page.getByRole('textbox', { name: 'Their email address' }).fill(colleague);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status')).toContainText(`Invitation sent to ${colleague}`);
  expect(emailTo(colleague, '/register?code=')).toContain('as a designated teacher');
  await expectNoAxeViolations(page);
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
  await expectNoAxeViolations(page);
});

test('a new carer sets up an authenticator app, keeps recovery codes, and needs a code next time', async ({ page, playwright, baseURL }, testInfo) => {
  test.setTimeout(180_000); // the invitation may wait up to 30 s for a fresh staff code
  // A carer of this project's own, registered through the API from an emailed invitation.
  const staff = testInfo.project.name === 'mobile' ? 'helen.okafor@northdale.example' : 'daniel.reid@northdale.example';
  const email = `totp.carer.${testInfo.project.name}@example.com`;
  const password = 'lantern meadow copper 7';
  const api = await playwright.request.newContext({ baseURL });
  await inviteByApi(api, staff, email, 'carer');
  const code = linkInEmail(email, '/register?code=').searchParams.get('code');
  const registered = await api.post('/api/invitations/register', {
    form: { code, display_name: 'Robin Carter', password },
    headers: { 'sec-fetch-site': 'same-origin', accept: 'application/json' },
  });
  expect(registered.status()).toBe(200);
  await api.dispose();

  const signIn = async () => {
    await page.goto('/sign-in');
    await hydrated(page);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  await signIn();
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText('Robin Carter');

  // Optional for carers: set up from the page, typing the key as an app would.
  await page.goto('/second-factor/setup');
  await hydrated(page);
  const key = (await page.locator('.secret-key').textContent()).replace(/\s+/g, '');
  await page.getByRole('textbox', { name: 'Code' }).fill('123456');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('alert')).toContainText('not right');
  const confirmCode = totp(key);
  await page.getByRole('textbox', { name: 'Code' }).fill(confirmCode);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Save your recovery codes');
  const recoveryCodes = await page.locator('.recovery-codes code').allTextContents();
  expect(recoveryCodes.length).toBeGreaterThanOrEqual(8);
  await expectNoAxeViolations(page);

  // From now on a sign-in needs a code; the one used to confirm is not accepted twice.
  await page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
  await signIn();
  await expect(page).toHaveURL(/\/second-factor$/);
  await hydrated(page);
  await page.getByRole('textbox', { name: 'Code' }).fill(confirmCode);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText(/not right|used/);
  await page.getByRole('textbox', { name: 'Code' }).fill(recoveryCodes[0]);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My children');
});
