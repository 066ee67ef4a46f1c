// The Virtual School dashboard: every child with the current PEP and its countdown, soonest first,
// filtered by a plain GET form (so the address says what is shown); then adding a child to the
// register; axe on each state.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, signInWithSecondFactor } = require('../support');

test('Virtual School staff filter every child, then add a child whose initial PEP is scheduled', async ({ page }, testInfo) => {
  test.setTimeout(180_000); // may wait up to 30 s for a fresh authenticator code
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

  // Approved PEPs are found by their own filter and shown as approved, without a countdown
  // (early years still chosen: Ruby's PEP is approved).
  await page.getByRole('combobox', { name: 'PEP state' }).selectOption({ label: 'Approved' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/state=approved/);
  await expect(table).toContainText('Ruby Clarke');
  await expect(table.getByRole('row', { name: /Ruby Clarke/ })).toContainText('(approved)Approved');
  await expect(table.locator('.countdown')).toHaveCount(0);
  await expect(table).not.toContainText('No PEP on the go');

  await page.getByRole('link', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(table).toContainText('Jayden Walker');

  // The server's HTML already holds the table: the filters work before any script runs.
  const html = await (await page.request.get('/dashboard?phase=early_years')).text();
  expect(html).toContain('Ruby Clarke');
  expect(html).not.toContain('Jayden Walker');

  // The register: the Virtual School adds a child, records coming into care and a school, and the
  // PEP that makes due is scheduled at once with its reason; problems are named by field and
  // nothing typed is lost. (Here rather than in a test of its own: each sign-in of the same
  // person needs a fresh authenticator code.)
  await page.goto('/dashboard');
  await hydrated(page);
  const lastName = testInfo.project.name === 'mobile' ? 'Mobile-Adeyemi' : 'Desktop-Adeyemi';
  // From the dashboard, a child added to the register, then their care and school.
  await page.getByRole('link', { name: 'Add a child to the register' }).click();
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

  // On a roll needs a school: said at the field, then recorded (at Northdale High, which no
  // other test counts the pupils of).
  await page.locator('#education_started_on').fill(today);
  await page.getByRole('combobox', { name: 'Where the child is educated' }).selectOption('on_roll');
  await page.getByRole('button', { name: 'Record the move' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Choose the school or setting' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole('combobox', { name: 'School or setting' }).selectOption({ label: 'Northdale High School' });
  await page.getByRole('button', { name: 'Record the move' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The move is saved' })).toBeVisible();

  // The child's record: history, and the initial PEP counting down with its reason.
  await page.getByRole('link', { name: `Back to Tomi ${lastName}'s record` }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Tomi ${lastName}`);
  await hydrated(page);
  await expect(page.getByRole('list', { name: 'Care episodes, newest first' })).toContainText('Section 20; Emergency foster placement; emergency placement');
  await expect(page.getByRole('list', { name: 'Schools and settings, newest first' })).toContainText('Northdale High School');
  await expect(page.getByText(/initial PEP/).first()).toBeVisible();
  const rule = page.locator('.countdown__rule').first();
  await rule.getByText('How this is counted').click();
  await expect(rule).toContainText('10 working days from the emergency placement on');
  await expectNoAxeViolations(page);
});
