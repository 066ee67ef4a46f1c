// PP+ on a phone: the designated teacher asks for tuition on one of Amelia's targets (the
// request's total and what is left of her allocation follow each keystroke; a request with a
// part missing, or asking for more than is left, is a problem on the checklist), and the
// Virtual School declines it (a reason is required) and then approves it. Axe on each state.
const { test, expect } = require('@playwright/test');
const { hydrated, expectNoAxeViolations, signInWithSecondFactor } = require('../support');

const PEP = '/peps/demo-child-amelia-pep-2026-autumn';

test('the designated teacher asks for PP+ on a target and the Virtual School decides it', async ({ page }, testInfo) => {
  // Amelia's maths target is written once per run: a desktop run beside it would clash.
  test.skip(testInfo.project.name !== 'mobile', 'written once, at phone size');
  test.setTimeout(240_000); // two professionals may each wait for a fresh authenticator code

  await signInWithSecondFactor(page, 's.whitfield@brookfield.example');
  await page.goto(PEP);
  await hydrated(page);
  const summary = page.locator('#pp-plus-summary');
  await expect(summary.getByRole('heading')).toHaveText('Pupil Premium Plus, April 2026 to March 2027');
  await expect(summary).toContainText("The child's allocation£2,570.00");

  const maths = page.getByRole('group', { name: 'Target 2', exact: true });
  const achievable = maths.locator('.smart-checklist').getByRole('listitem').filter({ hasText: 'Achievable:' }).first();
  await maths.getByRole('button', { name: 'Add a PP+ request' }).click();
  await maths.getByLabel('What it pays for').fill('1:1 maths tuition');
  await maths.getByLabel('Provider').fill('Northdale Tutors');
  await maths.getByLabel('Cost per session (£)').fill('45.50');
  await maths.getByLabel('Sessions a week').fill('2');
  await expect(achievable).toContainText('Problem: PP+ request 1: give the number of weeks');
  await expectNoAxeViolations(page);
  await maths.getByLabel('Weeks').fill('10');
  await expect(maths.locator('#target-2-pp-1-sum')).toHaveText('£45.50 × 2 a week × 10 weeks = £910.00');
  await expect(achievable).not.toContainText('PP+ request');
  await expect(summary).toContainText('This PEP asks for£910.00 (£0.00 approved)');
  await expect(summary).toContainText('Left after this PEP£1,660.00');
  await expect(maths).toContainText('Waiting for the Virtual School');

  // More than is left is a problem for the whole PEP, named with the figures.
  await maths.getByLabel('Cost per session (£)').fill('200');
  await expect(summary.getByRole('listitem')).toContainText(
    'Problem: This PEP asks for £4,000.00 of PP+, but only £2,570.00 is left of the child\'s £2,570.00 for April 2026 to March 2027: lower a request or remove one');
  await expectNoAxeViolations(page);
  await maths.getByLabel('Cost per session (£)').fill('45.50');
  await expect(summary.getByRole('listitem')).toHaveCount(0);
  await expect(page.locator('#target-2-status')).toHaveText('Saved');

  // The Virtual School's advisor reads the request and decides it; declining needs a reason.
  await page.context().clearCookies();
  await signInWithSecondFactor(page, 'daniel.reid@northdale.example');
  await page.goto(PEP);
  await hydrated(page);
  const requests = page.locator('#section-targets');
  await expect(requests).toContainText('1:1 maths tuition from Northdale Tutors: £45.50 × 2 a week × 10 weeks = £910.00');
  await requests.getByRole('button', { name: 'Decline' }).click();
  await expect(page.locator('#target-2-pp-1-decision-error'))
    .toHaveText('Say why the request is declined: the designated teacher reads it to change the request');
  await expectNoAxeViolations(page);
  await requests.getByLabel("The Virtual School's reason (needed to decline)").fill("Try the school's own tutor first.");
  await requests.getByRole('button', { name: 'Decline' }).click();
  await expect(requests).toContainText("Declined by the Virtual School: Try the school's own tutor first.");
  await requests.getByRole('button', { name: 'Approve £910.00' }).click();
  await expect(requests).toContainText('Approved by the Virtual School');
  await page.reload();
  await hydrated(page);
  await expect(page.locator('#section-targets')).toContainText('Approved by the Virtual School');
  await expect(page.locator('#pp-plus-summary')).toContainText('This PEP asks for£910.00 (£910.00 approved)');
  await expectNoAxeViolations(page);
});
