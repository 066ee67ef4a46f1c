// A designated teacher keeps their own school's calendar: a chosen .ics file appears as text to
// check, the preview shows its periods or every problem by line; axe on each state.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, signInWithSecondFactor } = require('../support');

const ics = (inset) => [
  'BEGIN:VCALENDAR', 'VERSION:2.0',
  'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20260901', 'DTEND;VALUE=DATE:20261219', 'SUMMARY:Autumn term', 'END:VEVENT',
  'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20261026', 'DTEND;VALUE=DATE:20261031', 'SUMMARY:Autumn half-term', 'END:VEVENT',
  'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20261113', `SUMMARY:${inset}`, 'END:VEVENT',
  'END:VCALENDAR', '',
].join('\r\n');

test("a designated teacher previews their school's calendar from an iCalendar file", async ({ page }, testInfo) => {
  test.setTimeout(180_000); // may wait up to 30 s for a fresh authenticator code
  const mobile = testInfo.project.name === 'mobile';
  const teacher = mobile ? 's.whitfield@brookfield.example' : 'i.hussain@riverside.example';
  const school = mobile ? 'Brookfield Primary School' : 'Riverside Academy';
  // A hydration failure is a page error (tachys panics) and leaves data-hydrated unset.
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signInWithSecondFactor(page, teacher);

  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'School calendar' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('School calendars');
  await hydrated(page);
  // Only their own school, and none of the Virtual School's pages.
  await expect(page.getByRole('heading', { level: 2 }).first()).toHaveText(school);
  await expect(page.getByRole('navigation', { name: 'Schools' }).getByRole('link')).toHaveCount(1);
  await expect(page.getByRole('navigation', { name: 'Virtual School administration' })).toHaveCount(0);
  await expectNoAxeViolations(page);
  // About one load in four once failed to hydrate ("no database in context" on the server, from
  // a resource made inside a resolving part): loaded again and again, it hydrates whole each time.
  for (let load = 0; load < 8; load += 1) {
    await page.reload();
    await hydrated(page);
    await expect(page.getByText(/Countdowns skip the government's bank holidays/), `load ${load}`).toBeVisible();
  }
  expect(errors).toEqual([]);

  // A file with an event that is not a period: named by its line.
  await page.getByLabel('Choose a CSV or iCalendar (.ics) file').setInputFiles({
    name: 'term-dates.ics', mimeType: 'text/calendar', buffer: Buffer.from(ics('Sports day')),
  });
  const text = page.getByRole('textbox', { name: 'Calendar file' });
  await expect(text).toHaveValue(/^BEGIN:VCALENDAR/);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByRole('alert')).toContainText('line 13: “Sports day” is not a term, holiday, INSET day or closure');
  await expectNoAxeViolations(page);

  // A CSV with two bad lines: both are under the field, not only the first.
  await text.fill('start,end,kind,label\n2026-09-01,2026-12-18,terms,Autumn\n2027-01-05,2027-02-30,term,Spring\n');
  await page.getByRole('button', { name: 'Preview' }).click();
  const fieldError = page.locator('#csv-error');
  await expect(fieldError).toContainText('line 2');
  await expect(fieldError).toContainText('line 3');

  await page.getByLabel('Choose a CSV or iCalendar (.ics) file').setInputFiles({
    name: 'term-dates.ics', mimeType: 'text/calendar', buffer: Buffer.from(ics('INSET day')),
  });
  await expect(text).toHaveValue(/SUMMARY:INSET day/);
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByRole('region', { name: 'Preview: 3 periods' });
  await expect(preview).toContainText('Fri 30 Oct 2026'); // the exclusive DTEND, read as the day before
  await expect(preview).toContainText('INSET day');
  await expect(page.getByRole('button', { name: `Replace ${school}'s calendar with these 3 periods` })).toBeVisible();
  await expectNoAxeViolations(page);
});
