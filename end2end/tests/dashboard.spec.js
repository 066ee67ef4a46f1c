// The Virtual School dashboard: every child with the current PEP and its countdown, soonest first,
// filtered by a plain GET form (so the address says what is shown); axe on each state.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, signInWithSecondFactor } = require('../support');

test('Virtual School staff filter every child by phase, state and deadline', async ({ page }, testInfo) => {
  test.setTimeout(120_000); // may wait up to 30 s for a fresh authenticator code
  const staff = testInfo.project.name === 'mobile' ? 'helen.okafor@northdale.example' : 'daniel.reid@northdale.example';
  await signInWithSecondFactor(page, staff);

  await page.getByRole('link', { name: "Every child's PEP, with filters" }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Every child's PEP");
  await hydrated(page);
  const table = page.getByRole('region', { name: /Children, soonest deadline first/ });
  await expect(page.locator('.dashboard__summary')).toContainText(/^\d+ children · \d+ overdue · 1 awaiting quality assurance$/);
  await expect(table).toContainText('Jayden Walker');
  await expect(table.locator('.countdown__words').first()).toHaveText(/^(in \d+ (school|working) days?|due today|\d+ (school|working) days? overdue)$/);
  await expect(table).toContainText('Submitted: awaiting quality assurance');
  await expectNoAxeViolations(page);

  // Early years only: the address carries the filter, the choice stays selected.
  await page.getByRole('combobox', { name: 'Phase' }).selectOption({ label: 'Early years' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/phase=early_years/);
  await expect(page.locator('.dashboard__summary')).toContainText(/^2 children/);
  await expect(table).toContainText('Ruby Clarke');
  await expect(table).toContainText('Leo Mensah');
  await expect(page.getByRole('combobox', { name: 'Phase' })).toHaveValue('early_years');
  await expectNoAxeViolations(page);

  // A state nobody is in says so rather than showing an empty table.
  await page.getByRole('combobox', { name: 'PEP state' }).selectOption({ label: 'Ready to submit' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText('No child matches these filters.')).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole('link', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(table).toContainText('Jayden Walker');

  // The server's HTML already holds the table: the filters work before any script runs.
  const html = await (await page.request.get('/dashboard?phase=early_years')).text();
  expect(html).toContain('Ruby Clarke');
  expect(html).not.toContain('Jayden Walker');
});
