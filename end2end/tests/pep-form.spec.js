// The PEP form on a phone: the designated teacher and the social worker write one PEP, each in
// their own sections; a field saves itself as typed; text typed on a page that missed others'
// changes merges with them; a count both changed shows both values to choose from, and the one
// whose value was kept over is told live with theirs to put back; offline is
// shown within 5 s and what was typed goes when the connection returns. Axe on each state
// (empty, read-only, conflict shown, offline).
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, signInWithSecondFactor } = require('../support');

const PEP = '/peps/demo-child-amelia-pep-2026-autumn';

test('a designated teacher and a social worker write one PEP without losing a word', async ({ browser, page }, testInfo) => {
  // One PEP, written once per run: a desktop run beside it would clash with its own saves.
  test.skip(testInfo.project.name !== 'mobile', 'written once, at phone size');
  test.setTimeout(240_000); // two professionals may each wait for a fresh authenticator code

  await signInWithSecondFactor(page, 's.whitfield@brookfield.example');
  await page.goto(PEP);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Amelia Nowak: Autumn 2026/27 termly review');
  const tasks = page.getByRole('list', { name: 'Task list' });
  await expect(tasks.getByRole('listitem').filter({ hasText: 'Meeting record' })).toContainText('Completed by: Designated teacher');
  await expect(tasks.getByRole('listitem').filter({ hasText: "Child's details" })).toContainText('Needs checking');
  // The social worker's own section is read-only to the teacher.
  await expect(page.getByRole('textbox', { name: 'Priorities for this term' })).toHaveCount(0);
  await expectNoAxeViolations(page);

  // Saved as typed.
  const goneWell = page.getByRole('textbox', { name: 'What has gone well' });
  await goneWell.fill('Amelia joined the choir and reads with her carer every night.');
  await expect(page.locator('#meeting_record-gone_well-status')).toHaveText('Saved');
  // Attendance is worked out as the figures are typed, with its flag in words.
  await page.getByRole('textbox', { name: 'Sessions possible this school year' }).fill('120');
  await page.getByRole('textbox', { name: 'Sessions attended this school year' }).fill('106');
  await expect(page.locator('#attendance-facts')).toHaveText(
    'Attendance this year: 88.3% (106 of 120 sessions): persistent absence, 10% or more of sessions missed');

  // The social worker, on her own phone, opens the same PEP (the teacher's page stays open).
  const viewport = { width: 390, height: 844 };
  const otherPhone = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport });
  const social = await otherPhone.newPage();
  await signInWithSecondFactor(social, 'priya.sharma@northdale.example');
  await social.goto(PEP);
  await hydrated(social);
  const meeting = social.getByRole('region', { name: 'Meeting record' });
  await expect(meeting).toContainText('Amelia joined the choir');
  await expect(meeting.getByRole('textbox')).toHaveCount(0);
  await social.getByRole('textbox', { name: 'Priorities for this term' }).fill('Keep Amelia at Brookfield through the placement move.');
  await expect(social.locator('#care_journey-priorities-status')).toHaveText('Saved');
  await social.getByRole('textbox', { name: 'What needs correcting in these details?' }).fill('She came into care on 3 March, not 4 March.');
  await expect(social.locator('#child_details-corrections-status')).toHaveText('Saved');
  await expectNoAxeViolations(social);

  // The teacher's page, open all along, shows Priya's correction as it lands: no reload.
  const liveCorrections = page.getByRole('textbox', { name: 'What needs correcting in these details?' });
  await expect(liveCorrections).toHaveValue('She came into care on 3 March, not 4 March.');
  await expect(page.locator('#live-announcements')).toContainText('Priya Sharma');

  // A page without the live channel (a phone that lost it) read the field before Priya changed
  // it again: what it types there is merged with her newer words, not a choice between them.
  const stale = await page.context().newPage();
  await stale.routeWebSocket(/\/live\/pep\//, () => {}); // the channel never reaches the server
  await stale.goto(PEP);
  await hydrated(stale);
  await social.getByRole('textbox', { name: 'What needs correcting in these details?' })
    .fill('She came into care on 3 March, not 4 March.\n\nHer UPN is right.');
  await expect(social.locator('#child_details-corrections-status')).toHaveText('Saved');
  const corrections = stale.getByRole('textbox', { name: 'What needs correcting in these details?' });
  await corrections.press('ControlOrMeta+Home');
  await corrections.pressSequentially('Her first language is Polish. ');
  const merged = 'Her first language is Polish. She came into care on 3 March, not 4 March.\n\nHer UPN is right.';
  await expect(corrections).toHaveValue(merged);
  await expect(stale.locator('#child_details-corrections-status')).toHaveText('Saved');
  await expect(stale.getByRole('group', { name: /Choose between/ })).toHaveCount(0);
  await expectNoAxeViolations(stale);
  // The live pages have it too, without a reload.
  await expect(social.getByRole('textbox', { name: 'What needs correcting in these details?' })).toHaveValue(merged);
  await expect(liveCorrections).toHaveValue(merged);

  // A count both changed is a choice: the stale page shows both values instead of overwriting.
  const attended = page.getByRole('textbox', { name: 'Sessions attended this school year' });
  const staleAttended = stale.getByRole('textbox', { name: 'Sessions attended this school year' });
  await attended.fill('107');
  await expect(page.locator('#attendance-sessions_attended-status')).toHaveText('Saved');
  await staleAttended.fill('105');
  await staleAttended.blur();
  const status = stale.locator('#attendance-sessions_attended-status');
  await expect(status).toHaveText('Not saved: Sarah Whitfield changed this while you were writing.');
  const choice = stale.getByRole('group', { name: "Choose between your words and Sarah Whitfield's" });
  await expect(choice).toContainText('107');
  await expect(staleAttended).toHaveValue('105');
  await expectNoAxeViolations(stale);
  await choice.getByRole('button', { name: 'Use Sarah Whitfield\'s version' }).click();
  await expect(staleAttended).toHaveValue('107');
  await expect(choice).toHaveCount(0);
  // Kept over a newer value: the page whose value was replaced is told, live, with its own
  // value to put back (the stale page has no live channel: it learns of 108 only by saving).
  await attended.fill('108');
  await attended.blur();
  await expect(page.locator('#attendance-sessions_attended-status')).toHaveText('Saved');
  await staleAttended.fill('109');
  await staleAttended.blur();
  await expect(status).toHaveText('Not saved: Sarah Whitfield changed this while you were writing.');
  await choice.getByRole('button', { name: 'Keep my version' }).click();
  await expect(status).toHaveText('Saved');
  const replaced = page.getByRole('group', { name: 'Sarah Whitfield replaced your value' });
  await expect(replaced).toContainText('replaced your value “108”');
  await expect(attended).toHaveValue('109');
  await expect(page.locator('#live-announcements')).toContainText('Sarah Whitfield replaced your value in “Sessions attended this school year”.');
  await expectNoAxeViolations(page);
  await replaced.getByRole('button', { name: 'Put mine back' }).click();
  await expect(attended).toHaveValue('108');
  await expect(page.locator('#attendance-sessions_attended-status')).toHaveText('Saved');
  await expect(replaced).toHaveCount(0);
  await stale.close();
  await otherPhone.close();

  // Offline: the page says so within five seconds, the words stay on screen, and they are sent
  // as soon as the connection returns.
  await page.context().setOffline(true);
  await expect(page.locator('#live-link')).toHaveText(/^Connection lost/, { timeout: 5_000 });
  const concerns = page.getByRole('textbox', { name: 'Difficulties and concerns' });
  await concerns.fill('Mondays after contact are hard; a calm start was agreed.');
  const concernsStatus = page.locator('#meeting_record-concerns-status');
  await expect(concernsStatus).toHaveText('Not saved yet: the connection is down. What you typed stays here and is sent when it returns.');
  await expectNoAxeViolations(page);
  await page.context().setOffline(false);
  await expect(concernsStatus).toHaveText('Saved', { timeout: 5_000 });
  await expect(page.locator('#live-link')).toHaveText(/^Live/);

  // The teacher marks the meeting record done; the task list says so after a reload too.
  // (Wait for the server's answer, which turns the button round, before reloading: "Completed by"
  // is in every task's text, so the task list alone cannot say it was stored.)
  const meetingRecord = page.getByRole('region', { name: 'Meeting record' });
  await meetingRecord.getByRole('button', { name: 'Mark as completed' }).click();
  await expect(meetingRecord.getByRole('button', { name: 'Mark as in progress' })).toBeVisible();
  await expect(tasks.getByRole('listitem').filter({ hasText: 'Meeting record' }).locator('strong.tag')).toHaveText('Completed');
  await page.reload();
  await hydrated(page);
  await expect(page.locator('#task-list-summary')).toHaveText(/^1 of \d+ sections completed$/);
  await expect(page.getByRole('textbox', { name: 'Difficulties and concerns' })).toHaveValue('Mondays after contact are hard; a calm start was agreed.');

  // The action log lists each target's action with its owner and, while open, its countdown.
  const log = page.getByRole('region', { name: 'Action log' });
  // (The records spec may add one for the social worker beside these, in parallel.)
  await expect(log.getByRole('listitem').filter({ hasText: 'Owner: Designated teacher' })).toHaveCount(3);

  // Last PEP's targets are judged here, with evidence, before new ones in the same area.
  await expect(page.getByRole('heading', { name: "Last PEP's targets (Summer 2025/26 termly review)" })).toBeVisible();
  const lastMaths = page.getByRole('group', { name: "Last PEP's target 2: Maths" });
  await expect(lastMaths.getByLabel('Partly achieved')).toBeChecked();
  await lastMaths.getByLabel('Achieved', { exact: true }).check();
  await lastMaths.getByLabel('Evidence').fill('20 of 25 on the multiplication check in November.');
  await expect(page.locator('#previous-2-status')).toHaveText('Saved');

  // A new SMART target, typed badly then well: the checklist follows every change.
  await page.getByRole('button', { name: 'Add a target' }).click();
  const target = page.getByRole('group', { name: 'Target 4', exact: true });
  const checklist = target.locator('.smart-checklist');
  const letter = (name) => checklist.getByRole('listitem').filter({ hasText: `${name}:` }).first();
  await expect(letter('Specific')).toContainText('Problem: Write the target');
  await expect(page.locator('#targets-mix')).toContainText('At key stage 2 one target must be about writing');
  await expectNoAxeViolations(page);
  await target.getByLabel('Target', { exact: true }).fill('Amelia will try to improve her writing.');
  await expect(letter('Specific')).toContainText('✓ met');
  await expect(letter('Measurable')).toContainText('“try to” says which way, not how far');
  await target.getByLabel('Success measure').fill('5 sentences in 4 out of 5 pieces of writing.');
  await expect(letter('Measurable')).toContainText('gives no starting point');
  await target.getByLabel('Reason, with where the child is now').fill('Writes 2 sentences unaided.');
  // The measure is there, but the target's own words are still vague until they say how far.
  await expect(letter('Measurable')).toContainText('“try to” says which way, not how far');
  await target.getByLabel('Target', { exact: true }).fill('Amelia will write 5 sentences unaided in her writing.');
  await expect(letter('Measurable')).toContainText('✓ met');
  await target.getByLabel('Need area').selectOption('writing');
  await expect(letter('Relevant to a need')).toContainText("Check: Say how this target links to the child's own views");
  await target.getByLabel("Link to the child's views").fill('Amelia said she wants to write a letter to her nan.');
  await expect(letter('Relevant to a need')).toContainText('✓ met');
  await expect(page.locator('#targets-mix')).toContainText("The targets meet the council's rule.");
  await target.getByLabel('Date to be met by').fill('2027-03-12');
  await expect(letter('Time-bound')).toContainText('✓ met');
  await expect(letter('Achievable')).toContainText('Problem: Add at least one action');
  await target.getByRole('button', { name: 'Add an action' }).click();
  await target.getByLabel('Action 1').fill('Daily sentence-building with the class teacher');
  await target.getByLabel('Who').selectOption('designated_teacher');
  await target.getByLabel('How often').fill('daily');
  await expect(letter('Achievable')).toContainText('✓ met');
  await expect(page.locator('#target-4-status')).toHaveText('Saved');
  await expectNoAxeViolations(page);
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('group', { name: 'Target 4', exact: true }).getByLabel('Target', { exact: true }))
    .toHaveValue('Amelia will write 5 sentences unaided in her writing.');
});
