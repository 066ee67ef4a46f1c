// Jayden's PEP, used by two tests that must not run at once: each person's arrivals, departures and
// saves would be heard in the other (a social worker leaving one test's page was announced in the
// other's meeting). So this file's tests run one after the other, in one worker.
//
// 1. Each role writes its own part in turn, and sees only what is theirs to see.
// 2. A live PEP meeting on four phones: the designated teacher, the social worker, the carer and the
// young person have Jayden's PEP open at once. Each sees who else is in it and where, sees the
// others' words appear as they type (before anything is saved), and a field someone is in is
// read-only to the others with who is writing; the teacher starts the meeting, records who came
// and ends it, and everyone sees each step; a target he adds and removes comes and goes on the
// others' pages. Axe with the presence, lock and meeting shown.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, signInWithSecondFactor, signInWithPassword } = require('../support');

test.describe.configure({ mode: 'default' });

const PEP = '/peps/demo-child-jayden-pep-2026-autumn';

test("every role writes its own part of Jayden's PEP in turn, and sees only what is theirs to see", async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'mobile', 'written once, at phone size');
  test.setTimeout(240_000); // two professionals may each wait for a fresh authenticator code
  const signIn = async (email) => {
    await page.context().clearCookies();
    await signInWithPassword(page, email);
    await page.goto(PEP);
    await hydrated(page);
  };

  // The carer, before the meeting: her section, not the social worker's account.
  await signIn('linda.bennett@example.com');
  const tasks = page.getByRole('list', { name: 'Task list' });
  await expect(tasks).toContainText("Carer's contribution");
  await expect(tasks).not.toContainText('Education, health and care journey');
  await page.getByRole('textbox', { name: 'What is going well', exact: true }).fill('Jayden has joined the football team and does his homework at the kitchen table.');
  await expect(page.locator('#carer_contribution-going_well-status')).toHaveText('Saved');
  await expect(page.getByRole('region', { name: 'Meeting record' }).getByRole('textbox')).toHaveCount(0);
  await expectNoAxeViolations(page);

  // A worry that cannot wait for the meeting: raised from Jayden's record, his advisor is told.
  await page.goto('/children/demo-child-jayden');
  await hydrated(page);
  await page.getByRole('button', { name: 'Tell the Virtual School' }).click();
  await expect(page.locator('#concern-error')).toHaveText('Write the concern: what happened or what worries you, and when');
  await page.getByLabel('Raise a concern with the Virtual School').fill('Jayden came home upset after PE twice this week.');
  await page.getByRole('button', { name: 'Tell the Virtual School' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your concern is recorded' }))
    .toHaveText("Your concern is recorded on the child's record and Daniel Reid (Virtual School education advisor) has been told.");
  await expectNoAxeViolations(page);

  // Jayden: his views, in his words; the school's sections he may not read are not listed.
  await signIn('jayden.walker@example.com');
  await expect(page.getByRole('heading', { level: 2, name: 'My views' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'My views' })).toContainText('This part is yours.');
  await expect(tasks).not.toContainText('Special educational needs');
  await page.getByRole('textbox', { name: 'What is hard?' }).fill('Maths tests. I get stuck and then I give up.');
  await expect(page.locator('#young_person_views-hard-status')).toHaveText('Saved');
  await expect(page.getByRole('textbox', { name: 'What is going well', exact: true })).toHaveCount(0);
  await expectNoAxeViolations(page);

  // His social worker: her own account of his care, and the others' words to read.
  await page.context().clearCookies();
  await signInWithSecondFactor(page, 'tom.gallagher@northdale.example');
  await page.goto(PEP);
  await hydrated(page);
  await page.getByRole('textbox', { name: 'Priorities for this term' }).fill('Keep Jayden in the football team through the placement review.');
  await expect(page.locator('#care_journey-priorities-status')).toHaveText('Saved');
  await expect(page.getByRole('region', { name: "Carer's contribution" })).toContainText('Jayden has joined the football team');
  await expect(page.getByRole('region', { name: 'My views' }).getByRole('textbox')).toHaveCount(0);
  await expectNoAxeViolations(page);

  // The designated teacher, last: the meeting record, with every contribution before him.
  await page.context().clearCookies();
  await signInWithSecondFactor(page, 'm.osei@northdale-high.example');
  await page.goto(PEP);
  await hydrated(page);
  // He may write beside Jayden in his views, so they are in their boxes; the others are to read.
  await expect(page.getByRole('textbox', { name: 'What is hard?' })).toHaveValue('Maths tests. I get stuck and then I give up.');
  await expect(page.getByRole('region', { name: "Carer's contribution" })).toContainText('Jayden has joined the football team');
  await expect(page.getByRole('region', { name: 'Education, health and care journey' })).toContainText('Keep Jayden in the football team');
  await page.getByRole('textbox', { name: 'What has gone well' }).fill('Jayden told us himself that maths tests are hard: a calm start before each one is agreed.');
  await expect(page.locator('#meeting_record-gone_well-status')).toHaveText('Saved');
  await expectNoAxeViolations(page);
});

test('four people in one meeting see each other and each other typing, live', async ({ browser }, testInfo) => {
  // Four phones on one PEP: once per run, at phone size.
  test.skip(testInfo.project.name !== 'mobile', 'written once, at phone size');
  test.setTimeout(240_000); // two professionals may each wait for a fresh authenticator code
  const phone = async () => {
    const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport: { width: 390, height: 844 } });
    return context.newPage();
  };
  const teacher = await phone();
  const social = await phone();
  const carer = await phone();
  const young = await phone();
  await signInWithSecondFactor(teacher, 'm.osei@northdale-high.example');
  await signInWithSecondFactor(social, 'tom.gallagher@northdale.example');
  await signInWithPassword(carer, 'linda.bennett@example.com');
  await signInWithPassword(young, 'jayden.walker@example.com');
  for (const page of [teacher, social, carer, young]) {
    await page.goto(PEP);
    await hydrated(page);
    await expect(page.locator('#live-link')).toHaveText(/^Live/);
  }

  // Everyone sees the other three, with their roles.
  const panel = (page) => page.getByRole('complementary', { name: 'In this PEP now' });
  await expect(panel(teacher)).toContainText('Tom Gallagher (social worker)');
  await expect(panel(teacher)).toContainText('Linda Bennett (carer)');
  await expect(panel(teacher)).toContainText('Jayden Walker (young person)');
  await expect(panel(young)).toContainText('Michael Osei (designated teacher)');

  // The carer types; the teacher and the social worker see where, and her words, as she types.
  const supportAtHome = carer.getByRole('textbox', { name: 'How you support learning at home' });
  await supportAtHome.click();
  await supportAtHome.pressSequentially('We read together after tea', { delay: 40 });
  for (const page of [teacher, social]) {
    await expect(panel(page)).toContainText("Linda Bennett (carer) is typing in Carer's contribution: How you support learning at home");
    await expect(page.getByRole('region', { name: "Carer's contribution" })).toContainText('We read together after tea');
  }
  // The young person may not read the carer's section: he sees her here, not where or what.
  await expect(panel(young)).toContainText('Linda Bennett (carer)');
  await expect(panel(young)).not.toContainText('How you support learning at home');
  await expect(young.getByText('We read together after tea')).toHaveCount(0);

  // Jayden writes in his own part and the teacher, who may write there beside him, types into the
  // same sentence at the same moment: nobody waits, both words are on both screens.
  const helps = young.getByRole('textbox', { name: 'Who or what helps you?' });
  const teachersCopy = teacher.getByRole('textbox', { name: 'Who or what helps you?' });
  await helps.click();
  await helps.fill('Mr Osei and the homework club.');
  await expect(teachersCopy).toHaveValue('Mr Osei and the homework club.');
  await expect(teachersCopy).not.toHaveAttribute('readonly', '');
  await expect(teacher.locator('#young_person_views-what_helps-where'))
    .toContainText('Jayden Walker (young person) is typing here');
  // Both carets in one sentence: Jayden's at its end, the teacher's after "Mr Osei".
  await helps.press('End');
  await teachersCopy.click();
  await teachersCopy.evaluate((area) => area.setSelectionRange(7, 7));
  await Promise.all([
    helps.pressSequentially(' Maths club too.', { delay: 30 }),
    teachersCopy.pressSequentially(' (form tutor)', { delay: 30 }),
  ]);
  const both = 'Mr Osei (form tutor) and the homework club. Maths club too.';
  await expect(helps).toHaveValue(both);
  await expect(teachersCopy).toHaveValue(both);
  await expect(young.locator('#young_person_views-what_helps-status')).toHaveText('Saved');
  await expect(teacher.locator('#young_person_views-what_helps-status')).toHaveText('Saved');
  await expect(carer.getByRole('region', { name: 'My views' })).toContainText(both);
  await expect(teacher.locator('#live-announcements')).toContainText('Jayden Walker');
  await expectNoAxeViolations(teacher);
  await expectNoAxeViolations(social);
  // Stored as merged: a fresh page has both.
  await young.reload();
  await hydrated(young);
  await expect(young.getByRole('textbox', { name: 'Who or what helps you?' })).toHaveValue(both);
  // The carer's words were saved too, and everyone has them without a reload.
  await expect(carer.locator('#carer_contribution-support_at_home-status')).toHaveText('Saved');
  await expect(social.getByRole('region', { name: "Carer's contribution" })).toContainText('We read together after tea');
  await expectNoAxeViolations(carer);
  await expectNoAxeViolations(young);

  // A target the teacher adds and writes appears on the others' pages as it is saved, and goes
  // when he removes it: no reload.
  const targetsNow = await teacher.getByRole('group', { name: /^Target \d+$/ }).count();
  await teacher.getByRole('button', { name: 'Add a target' }).click();
  const newTarget = teacher.getByRole('group', { name: `Target ${targetsNow + 1}`, exact: true });
  const statement = 'Jayden will answer 8 of 10 times-table questions in a timed test.';
  await newTarget.getByLabel('Target', { exact: true }).fill(statement);
  await expect(teacher.locator(`#target-${targetsNow + 1}-statement-status`)).toHaveText('Saved');
  for (const page of [carer, social]) {
    await expect(page.locator('#section-targets')).toContainText(statement);
    await expect(page.locator('#live-announcements')).toContainText('Michael Osei changed the targets.');
  }
  await expectNoAxeViolations(carer);
  await newTarget.getByRole('button', { name: `Remove target ${targetsNow + 1}` }).click();
  await expect(carer.locator('#section-targets')).not.toContainText(statement);
  await expect(social.locator('#section-targets')).not.toContainText(statement);

  // The teacher starts the meeting: everyone sees it start, with the way to its record.
  await teacher.getByRole('button', { name: 'Start the meeting' }).click();
  const meeting = (page) => page.getByRole('region', { name: 'Meeting in progress' });
  for (const page of [teacher, social, carer, young]) {
    await expect(meeting(page)).toContainText('by Michael Osei');
    await expect(meeting(page).getByRole('link', { name: 'Go to the meeting record' })).toBeVisible();
  }
  await expect(young.locator('#live-announcements')).toContainText('Michael Osei started the meeting');
  // Who came and how, seen by the others as soon as it is saved.
  await meeting(teacher).getByRole('group', { name: 'Linda Bennett (carer)' }).getByLabel('Online').check();
  await meeting(teacher).getByRole('group', { name: 'Tom Gallagher (social worker)' }).getByLabel('In person').check();
  await meeting(teacher).getByLabel('Someone else who attended in person (optional)').fill('Sam Reed, tutor');
  await meeting(teacher).getByRole('button', { name: 'Save attendance' }).click();
  await expect(meeting(teacher)).toContainText('Attendance saved.');
  await expect(meeting(carer)).toContainText('Linda Bennett (carer): Online');
  await expect(meeting(carer)).toContainText('Sam Reed, tutor: In person');
  await expectNoAxeViolations(teacher);
  await expectNoAxeViolations(carer);
  await meeting(teacher).getByRole('button', { name: 'End the meeting' }).click();
  await expect(young.getByRole('region', { name: 'The meeting' })).toContainText('Held from');
  // The meeting's end makes the PEP a draft: the state and the next step follow without a reload,
  // and only the others are told the state changed.
  await expect(teacher.locator('.tag--draft').first()).toHaveText('Draft');
  await expect(teacher.getByRole('button', { name: 'Mark as ready to submit' })).toBeVisible();
  await expect(teacher.getByRole('button', { name: 'Start the meeting' })).toHaveCount(0);
  await expect(carer.locator('#live-announcements')).toContainText("Michael Osei changed the PEP's state.");
  await expect(young.locator('#live-announcements')).toContainText("Michael Osei changed the PEP's state.");
  await expect(teacher.locator('#live-announcements')).not.toContainText("changed the PEP's state");
  await expect(young.locator('#live-announcements')).toContainText('The meeting has ended.');
  // The announcements are a log: the end and a departure after it are both there to hear.
  await expect(carer.locator('#live-announcements')).toContainText('The meeting has ended.');

  // Someone leaves: the others see it.
  await social.context().close();
  await expect(panel(teacher).getByRole('list')).not.toContainText('Tom Gallagher');
  await expect(panel(carer).getByRole('list')).not.toContainText('Tom Gallagher');
  await expect(carer.locator('#live-announcements')).toContainText('Tom Gallagher (social worker) left.');
  for (const page of [teacher, carer, young]) await page.context().close();
});
