// The Virtual School's admin pages: people, one person's role, status and assignments, and the
// council's section rights; axe on each page and state.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, signInWithSecondFactor, emailTo } = require('../support');

// On the server for council-wide changes: deactivating Tom Gallagher (or Priya Sharma) and ending
// an assignment closes their sessions and live channels, which the live meetings on the main
// server rely on staying open.
test.use({ baseURL: process.env.EPEP_E2E_POLICIES_URL });

test('Virtual School staff invite, deactivate and reassign people, and read the section rights', async ({ page }, testInfo) => {
  test.setTimeout(180_000); // may wait up to 30 s for a fresh authenticator code
  // One administrator and one person to change per project: the two runs share the database.
  const mobile = testInfo.project.name === 'mobile';
  const staff = mobile ? 'helen.okafor@northdale.example' : 'daniel.reid@northdale.example';
  const target = mobile ? 'Tom Gallagher' : 'Priya Sharma';
  await signInWithSecondFactor(page, staff);

  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'People' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('People');
  await hydrated(page);
  await expect(page.getByRole('region', { name: /people, \d+ active/ })).toContainText(target);
  await expectNoAxeViolations(page);

  // Inviting a designated teacher needs a school; the typed address stays while it is chosen.
  const invited = `new.teacher.${testInfo.project.name}@school.example`;
  await page.getByLabel('Email address').fill(invited);
  await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption({ label: 'Designated teacher' });
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('alert')).toContainText("Choose the designated teacher's school");
  await expect(page.getByLabel('Email address')).toHaveValue(invited);
  await expectNoAxeViolations(page);
  await page.getByRole('combobox', { name: 'School', exact: true }).selectOption({ label: 'Riverside Academy' });
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status')).toContainText(`Invitation sent to ${invited}`);
  await expect(page.getByText(invited, { exact: true })).toBeVisible();
  expect(emailTo(invited, '/register?code=')).toContain('as a designated teacher');

  // One person: end an assignment, assign again, deactivate and reactivate.
  await page.getByRole('link', { name: target }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(target);
  await hydrated(page);
  await expectNoAxeViolations(page);
  const assignments = page.getByRole('region', { name: 'Assignments' });
  const endButtons = assignments.getByRole('button', { name: /^End now for / });
  const before = await endButtons.count();
  expect(before).toBeGreaterThan(0);
  const ended = (await endButtons.first().textContent()).replace('End now for ', '').trim();
  await endButtons.first().click();
  await expect(page.getByRole('status')).toContainText('Assignment ended.');
  await expect(endButtons).toHaveCount(before - 1);

  await page.getByRole('combobox', { name: 'Child', exact: true }).selectOption({ label: ended });
  await page.getByRole('button', { name: 'Assign' }).click();
  await expect(page.getByRole('status')).toContainText('Assignment added.');
  await expect(endButtons).toHaveCount(before);
  await page.getByRole('button', { name: 'Assign' }).click();
  await expect(page.getByRole('alert')).toContainText('Choose a child');

  await page.getByRole('button', { name: 'Deactivate' }).click();
  await expect(page.getByRole('group', { name: `Deactivate ${target}?` })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'Yes, deactivate' }).click();
  await expect(page.getByRole('status')).toContainText('Status changed.');
  await expect(page.locator('.summary-list')).toContainText('Deactivated: cannot sign in');
  await page.getByRole('button', { name: 'Reactivate' }).click();
  await expect(page.locator('.summary-list')).toContainText('Active');

  // The council's section rights, one PEP state at a time, in words.
  await page.getByRole('navigation', { name: 'Virtual School administration' }).getByRole('link', { name: 'Section rights' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Section rights');
  await page.getByRole('navigation', { name: 'PEP states' }).getByRole('link', { name: 'Pre-meeting contributions' }).click();
  const table = page.getByRole('region', { name: 'When the PEP is pre-meeting contributions' });
  await expect(table.getByRole('row', { name: /Carer's contribution/ })).toContainText('Edit');
  await hydrated(page);
  await expectNoAxeViolations(page);

  // School calendars: a pasted CSV is previewed, every problem by line, before it replaces anything.
  await page.getByRole('navigation', { name: 'Virtual School administration' }).getByRole('link', { name: 'School calendars' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('School calendars');
  await page.getByRole('navigation', { name: 'Schools' }).getByRole('link', { name: 'Brookfield Primary School' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Brookfield Primary School' })).toBeVisible();
  await hydrated(page);
  const csv = page.getByRole('textbox', { name: 'Calendar file' });
  await csv.fill('start,end,kind,label\n2026-09-01,2026-12-18,term,Autumn term\n2026-10-30,2026-10-26,holiday,Half-term\n');
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('line 3: end 2026-10-26 is before start 2026-10-30');
  await expectNoAxeViolations(page);
  await csv.fill('start,end,kind,label\n2026-09-01,2026-12-18,term,Autumn term\n2026-10-26,2026-10-30,holiday,Autumn half-term\n2027-01-04,2027-03-25,term,Spring term\n2027-04-12,2027-07-21,term,Summer term\n');
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Preview: 4 periods' })).toContainText('Autumn half-term');
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: "Replace Brookfield Primary School's calendar with these 4 periods" }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Calendar replaced' })).toContainText('Calendar replaced: 4 periods stored.');
  await expect(page.getByRole('region', { name: 'Brookfield Primary School: 4 periods' })).toBeVisible();

  // The bank holidays countdowns skip, and how far they go.
  await expect(page.getByText(/Countdowns skip the government's bank holidays for england and wales: \d+ from 1 January 2024 to/)).toBeVisible();

  // A new school starts with a copy of the council's default calendar.
  const newSchool = `Hillside Academy ${testInfo.project.name}`;
  await page.getByRole('button', { name: 'Add school' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "Enter the school's name" })).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill(newSchool);
  await page.getByRole('combobox', { name: 'Kind of school' }).selectOption({ label: 'Academy' });
  await page.getByLabel('Phase').fill('secondary 11 to 18');
  await page.getByLabel('Local authority it is in').fill('Eastshire');
  await page.getByRole('button', { name: 'Add school' }).click();
  await expect(page.getByRole('heading', { level: 2, name: newSchool })).toBeVisible();
  await expect(page.getByText(`Countdowns for its pupils use its own calendar.`)).toBeVisible();
  await expect(page.getByRole('region', { name: `${newSchool}: 11 periods` })).toBeVisible();
  await expectNoAxeViolations(page);

  // The council's deadline rules, in words: a rule that does not read is named at its field.
  await page.getByRole('navigation', { name: 'Virtual School administration' }).getByRole('link', { name: 'Deadline rules' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Deadline rules');
  await hydrated(page);
  const rule = page.getByLabel('PEP after coming into care or a school move');
  await expect(rule).toHaveValue('20 school days');
  await expect(page.getByLabel('Final dates for termly PEP meetings')).toHaveValue(/2026\/27 autumn: 2026-12-11/);
  await rule.fill('twenty school days');
  await page.getByRole('button', { name: 'Save deadline rules' }).click();
  await expect(page.getByRole('alert')).toContainText('“twenty school days” is not a rule');
  await expect(rule).toHaveValue('twenty school days');
  await expectNoAxeViolations(page);
  await rule.fill('20 school days');
  await page.getByRole('button', { name: 'Save deadline rules' }).click();
  // Each form on the page has its own status: the deadline rules' says they were saved.
  await expect(page.getByRole('status').filter({ hasText: 'Deadline rules saved.' })).toBeVisible();
  await expectNoAxeViolations(page);
});

test('people who are not Virtual School staff are told the admin pages are not for them', async ({ page }) => {
  await page.goto('/people');
  await expect(page.getByRole('main')).toContainText('You need to sign in to see this page');
});
