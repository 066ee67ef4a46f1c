// Shared text on a phone over a slow network: words typed into the server's page before the
// script is ready are kept and sent when it is; someone whose network drops is shown as gone
// within ten seconds, and their own page says it is offline within five. Two people type into
// one target's words, and into one action's.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, signInWithSecondFactor } = require('../support');

const PEP = '/peps/demo-child-kai-pep-2026-autumn';

/** A slow mobile network (about 1.6 Mbit/s down, 150 ms round trips x3.75) and a CPU 4x slower. */
async function slowPhone(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 562,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return cdp;
}

test('words typed before the page is ready are kept, sent and stored', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'mobile', 'a phone on a slow network');
  test.setTimeout(120_000);
  await signInWithSecondFactor(page, 's.whitfield@brookfield.example');
  const cdp = await slowPhone(page);
  await page.goto(PEP, { waitUntil: 'domcontentloaded' });
  const concerns = page.getByRole('textbox', { name: 'Difficulties and concerns' });
  await expect(concerns).toBeVisible();
  // Typed while the script is still on its way (the test means nothing once it has arrived).
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  const typed = `Kai settles best with a visual timetable (${Date.now()}).`;
  await concerns.fill(typed);
  expect(await page.locator('body').getAttribute('data-hydrated')).not.toBe('true');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 60_000 });
  // Hydration keeps the words on screen and sends them as the teacher's edit.
  await expect(concerns).toHaveValue(typed);
  await expect(page.locator('#meeting_record-concerns-status')).toHaveText('Saved', { timeout: 20_000 });
  await expectNoAxeViolations(page);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('textbox', { name: 'Difficulties and concerns' })).toHaveValue(typed);
});

test('a phone whose network drops says so within 5 s and the others see it gone within 10 s', async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'mobile', 'two phones');
  test.setTimeout(180_000);
  const phone = async () => {
    const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport: { width: 390, height: 844 } });
    return context.newPage();
  };
  const teacher = await phone();
  const social = await phone();
  await signInWithSecondFactor(teacher, 's.whitfield@brookfield.example');
  await signInWithSecondFactor(social, 'priya.sharma@northdale.example');
  for (const page of [teacher, social]) {
    await page.goto(PEP);
    await hydrated(page);
    await expect(page.locator('#live-link')).toHaveText(/^Live/);
  }
  const panel = teacher.getByRole('complementary', { name: 'In this PEP now' });
  await expect(panel.getByRole('list')).toContainText('Priya Sharma (social worker)');

  await social.context().setOffline(true);
  const dropped = Date.now();
  await expect(social.locator('#live-link')).toHaveText(
    'Connection lost: what you type stays here and is sent when it returns.', { timeout: 5_000 });
  await expectNoAxeViolations(social);
  await expect(panel.getByRole('list')).toHaveCount(0, { timeout: 10_000 });
  await expect(panel).toContainText('Nobody else has this PEP open.');
  const goneAfter = Date.now() - dropped;
  expect(goneAfter).toBeLessThan(10_000);
  await expect(teacher.locator('#live-announcements')).toContainText('Priya Sharma (social worker) left.');

  // What she types offline goes the moment the network returns.
  const priorities = social.getByRole('textbox', { name: 'Priorities for this term' });
  const words = ` Offline note ${Date.now()}.`;
  await priorities.press('ControlOrMeta+End');
  await priorities.pressSequentially(words);
  await expect(social.locator('#care_journey-priorities-status')).toHaveText(/^Not saved yet/);
  await social.context().setOffline(false);
  await expect(social.locator('#care_journey-priorities-status')).toHaveText('Saved', { timeout: 5_000 });
  await expect(social.locator('#live-link')).toHaveText(/^Live/, { timeout: 10_000 });
  await expect(teacher.getByRole('region', { name: 'Education, health and care journey' })).toContainText(words.trim());
  await expect(panel.getByRole('list')).toContainText('Priya Sharma (social worker)');
  for (const page of [teacher, social]) await page.context().close();
});

/** Ethan's PEP on a page of its own (a phone or a laptop), signed in as `email`, live. */
async function openEthansPep(browser, testInfo, viewport, email) {
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport });
  const page = await context.newPage();
  await signInWithSecondFactor(page, email);
  await page.goto('/peps/demo-child-ethan-pep-2026-autumn');
  await hydrated(page);
  await expect(page.locator('#live-link')).toHaveText(/^Live/);
  return page;
}

test("two pages typing into one target's statement at the same moment both keep their words", async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'mobile', 'a phone and a laptop');
  test.setTimeout(180_000);
  // Ethan's returned PEP: the designated teacher on the meeting room's laptop and on his phone,
  // the Virtual School's advisor reading on hers.
  const open = (viewport, email) => openEthansPep(browser, testInfo, viewport, email);
  const phone = await open({ width: 390, height: 844 }, 'm.osei@northdale-high.example');
  const laptop = await open({ width: 1280, height: 800 }, 'm.osei@northdale-high.example');
  const advisor = await open({ width: 390, height: 844 }, 'daniel.reid@northdale.example');
  const statement = (page) => page.getByRole('group', { name: 'Target 2', exact: true }).getByLabel('Target', { exact: true });
  const before = await statement(phone).inputValue();
  expect(before.length).toBeGreaterThan(20);
  await expect(statement(laptop)).toHaveValue(before);
  // One caret at the start, the other at the end, typing at once.
  await statement(phone).click();
  await statement(phone).press('ControlOrMeta+End');
  await statement(laptop).click();
  await statement(laptop).evaluate((area) => area.setSelectionRange(0, 0));
  await Promise.all([
    statement(phone).pressSequentially(' Checked weekly.', { delay: 30 }),
    statement(laptop).pressSequentially('By Easter: ', { delay: 30 }),
  ]);
  const both = `By Easter: ${before} Checked weekly.`;
  await expect(statement(phone)).toHaveValue(both);
  await expect(statement(laptop)).toHaveValue(both);
  await expect(phone.locator('#target-2-statement-status')).toHaveText('Saved');
  await expect(laptop.locator('#target-2-statement-status')).toHaveText('Saved');
  // The advisor reads the target as it is typed, without a reload.
  await expect(advisor.locator('#section-targets')).toContainText(both);
  await expectNoAxeViolations(phone);
  await expectNoAxeViolations(advisor);
  // The date changed on one page does not clash with the words typed on the other: the advisor
  // has both, and so has the teacher's other page (his own change, made elsewhere).
  await laptop.getByRole('group', { name: 'Target 2', exact: true }).getByLabel('Date to be met by').fill('2027-03-26');
  await expect(laptop.locator('#target-2-status')).toHaveText('Saved');
  await expect(advisor.locator('#section-targets')).toContainText('By: 26 March 2027');
  await expect(advisor.locator('#section-targets')).toContainText(both);
  await expect(statement(phone)).toHaveValue(both);
  await expect(phone.getByRole('group', { name: 'Target 2', exact: true }).getByLabel('Date to be met by')).toHaveValue('2027-03-26');
  // Stored as merged: a fresh page has both.
  await phone.reload();
  await hydrated(phone);
  await expect(statement(phone)).toHaveValue(both);
  for (const page of [phone, laptop, advisor]) await page.context().close();
});

test('an action added on one page is there on the others, its words merge, and removing it removes it everywhere', async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'mobile', 'a phone and a laptop');
  test.setTimeout(180_000);
  // Ethan's PEP again: the designated teacher on a laptop and a phone, the advisor reading.
  const open = (viewport, email) => openEthansPep(browser, testInfo, viewport, email);
  const laptop = await open({ width: 1280, height: 800 }, 'm.osei@northdale-high.example');
  const phone = await open({ width: 390, height: 844 }, 'm.osei@northdale-high.example');
  const advisor = await open({ width: 390, height: 844 }, 'daniel.reid@northdale.example');
  const target = (page) => page.getByRole('group', { name: 'Target 1', exact: true });
  const rows = (page) => target(page).locator('.action-row');
  const had = await rows(laptop).count();
  const label = `Action ${had + 1}`;
  const words = (page) => target(page).getByLabel(label, { exact: true });
  // Added on the server at once: focus goes into it, and the phone has it without a reload.
  await target(laptop).getByRole('button', { name: 'Add an action' }).click();
  await expect(words(laptop)).toBeFocused();
  await expect(rows(phone)).toHaveCount(had + 1);
  await words(laptop).pressSequentially('Read together.', { delay: 20 });
  await expect(words(phone)).toHaveValue('Read together.');
  // Both type into it at the same moment: one at the start, one at the end.
  await words(phone).click();
  await words(phone).press('ControlOrMeta+End');
  await words(laptop).evaluate((area) => area.setSelectionRange(0, 0));
  await Promise.all([
    words(phone).pressSequentially(' Ten minutes.', { delay: 30 }),
    words(laptop).pressSequentially('Each evening: ', { delay: 30 }),
  ]);
  const both = 'Each evening: Read together. Ten minutes.';
  await expect(words(phone)).toHaveValue(both);
  await expect(words(laptop)).toHaveValue(both);
  // Who does it is saved with the target; the advisor reads it all as it is written.
  await rows(phone).nth(had).getByLabel('Who').selectOption('carer');
  await expect(phone.locator('#target-1-status')).toHaveText('Saved');
  await expect(advisor.locator('#section-targets')).toContainText(`${both} (carer`);
  await expectNoAxeViolations(phone);
  // A fresh page has the merged words.
  await laptop.reload();
  await hydrated(laptop);
  await expect(words(laptop)).toHaveValue(both);
  // Removed on one page: gone from the others.
  await target(laptop).getByRole('button', { name: `Remove action ${had + 1}` }).click();
  await expect(rows(laptop)).toHaveCount(had);
  await expect(rows(phone)).toHaveCount(had);
  await expect(advisor.locator('#section-targets')).not.toContainText(both);
  for (const page of [phone, laptop, advisor]) await page.context().close();
});
