// The children register: the Virtual School adds a child, records coming into care and a school,
// and the PEP that makes due is scheduled at once with its reason; problems are named by field and
// nothing typed is lost; axe on each state.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, signInWithSecondFactor } = require('../support');

test('the Virtual School adds a child, their care and school, and sees the initial PEP due', async ({ page }, testInfo) => {
  test.setTimeout(120_000); // may wait up to 30 s for a fresh authenticator code
  const mobile = testInfo.project.name === 'mobile';
  const staff = mobile ? 'helen.okafor@northdale.example' : 'daniel.reid@northdale.example';
  const lastName = mobile ? 'Mobile-Adeyemi' : 'Desktop-Adeyemi';
  await signInWithSecondFactor(page, staff);

  await page.goto('/children/new');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add a child to the register');
  await hydrated(page);
  await expectNoAxeViolations(page);
  await page.getByLabel('First name').fill('Tomi');
  await page.getByLabel('Last name').fill(lastName);
  await page.getByLabel('Date of birth').fill('2016-06-15');
  await page.getByLabel(/Unique pupil number/).fill('A801200001001');
  await page.getByLabel('Gender').fill('male');
  await page.getByLabel('Ethnicity').fill('Black British – African');
  await page.getByLabel('First language').fill('Yoruba');
  await page.getByRole('button', { name: 'Save details' }).click();
  // Checked in the browser with the same rules as the server: every problem named, typing kept.
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('check letter');
  await expect(summary).toContainText("Choose the child's special educational needs support");
  await expect(page.getByLabel('First name')).toHaveValue('Tomi');
  await expectNoAxeViolations(page);

  await page.getByLabel(/Unique pupil number/).fill('');
  await page.getByRole('combobox', { name: 'Special educational needs' }).selectOption({ label: 'SEN support' });
  await page.getByRole('button', { name: 'Save details' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Change Tomi ${lastName}'s record`);
  await hydrated(page);

  // Came into care today in an emergency: the initial PEP is due in 10 working days.
  const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
  await page.locator('#care_started_on').fill(today);
  await page.getByLabel('Legal status').fill('Section 20');
  await page.getByLabel('Placement type').fill('Emergency foster placement');
  await page.getByRole('combobox', { name: 'Was it an emergency placement?' }).selectOption('yes');
  await page.getByRole('button', { name: 'Add care episode' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'care episode' })).toContainText(/Now due: initial PEP, due \d+ \w+ \d{4}/);
  await expectNoAxeViolations(page);

  // On a roll needs a school: said at the field, then recorded.
  await page.locator('#education_started_on').fill(today);
  await page.getByRole('combobox', { name: 'Where the child is educated' }).selectOption('on_roll');
  await page.getByRole('button', { name: 'Record the move' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Choose the school or setting' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole('combobox', { name: 'School or setting' }).selectOption({ label: 'Riverside Academy' });
  await page.getByRole('button', { name: 'Record the move' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The move is saved' })).toBeVisible();

  // The child's record: history, and the initial PEP counting down with its reason.
  await page.getByRole('link', { name: `Back to Tomi ${lastName}'s record` }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Tomi ${lastName}`);
  await hydrated(page);
  await expect(page.getByRole('list', { name: 'Care episodes, newest first' })).toContainText('Section 20; Emergency foster placement; emergency placement');
  await expect(page.getByRole('list', { name: 'Schools and settings, newest first' })).toContainText('Riverside Academy');
  await expect(page.getByText(/initial PEP/).first()).toBeVisible();
  const rule = page.locator('.countdown__rule').first();
  await rule.getByText('How this is counted').click();
  await expect(rule).toContainText('10 working days from the emergency placement on');
  await expectNoAxeViolations(page);
});
