// Countdowns: the same words in the server's HTML and after hydration, and kept current by the
// browser's clock across midnight without a reload.
const { test, expect } = require('@playwright/test');
const { DEMO_PASSWORD, hydrated, expectNoAxeViolations } = require('../support');

test('a carer sees each child with the next PEP and a countdown that follows the clock', async ({ page }) => {
  // Linda Bennett, carer of Tyler and Jayden (whose PEP is in its meeting): no second factor.
  await page.clock.install({ time: new Date() });
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill('linda.bennett@example.com');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My children');
  await hydrated(page);

  const words = page.locator('.countdown__words');
  await expect(words.first()).toBeVisible();
  const hydratedWords = await words.allTextContents();
  for (const text of hydratedWords) expect(text).toMatch(/^(in \d+ (school|working) days?|due today|\d+ (school|working) days? overdue)$/);

  // The server's HTML says the same before any script runs.
  const html = await (await page.request.get('/')).text();
  const serverWords = [...html.matchAll(/class="countdown__words"[^>]*>([^<]+)</g)].map((m) => m[1]);
  expect(serverWords).toEqual(hydratedWords);

  // The rule is one tap away.
  const rule = page.locator('.countdown__rule').first();
  await rule.getByText('How this is counted').click();
  // The words the schedule stored with the due date, then what the countdown counts.
  await expect(rule).toContainText("The council's final date for autumn term 2026/27 PEP meetings");
  await expect(rule).toContainText(/school days|working days/);
  await expectNoAxeViolations(page);

  // The child's page: section A's facts with what follows from them, and the same countdown.
  await page.getByRole('link', { name: 'Jayden Walker' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Jayden Walker');
  await hydrated(page);
  const facts = page.locator('.summary-list');
  await expect(facts).toContainText(/Year group\s*Year \d+ \(from the date of birth\)/);
  await expect(facts).toContainText(/UPN\s*[A-Z]\d{12}/);
  await expect(page.getByText(/^A PEP is due: /)).toBeVisible();
  await expect(page.locator('.countdown__words').first()).toHaveText(/./);
  // Jayden's meeting has been held: the designated teacher's submission deadline counts down too.
  const meeting = page.locator('.deadline-list__item', { hasText: 'Submission to the Virtual School' });
  await expect(meeting.locator('.countdown')).toContainText('due 4 Dec 2026');
  await meeting.getByText('How this is counted').click();
  await expect(meeting).toContainText('5 working days from the PEP meeting on 27 November 2026: due 4 December 2026');
  await expect(page.getByRole('region', { name: 'Every PEP, newest first' })).toContainText('termly review');
  await expectNoAxeViolations(page);

  // Half a year later, without a reload, the same PEP is overdue.
  await page.clock.fastForward(183 * 24 * 60 * 60 * 1000);
  await expect(words.first()).toHaveText(/overdue$/);
  expect(await words.first().textContent()).not.toBe(hydratedWords[0]);
  await page.screenshot({ path: test.info().outputPath('after-half-a-year.png') });
  await expect(page.locator('.tag--overdue').first()).toHaveText('Overdue');
});
