// In-page links move focus, not only the view: the skip link to the main content, and the PEP's
// task list to each section, so the next Tab goes on from there instead of jumping back to the
// link (WCAG 2.4.3 focus order, 2.4.1 bypass blocks). Keyboard only, at both sizes.
const { test, expect } = require('@playwright/test');
const { hydrated, signInWithPassword } = require('../support');

test('the skip link moves focus to the main content', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main-content')).toBeFocused();
  // The next Tab goes on inside the main content, past the header's links.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.getElementById('main-content').contains(document.activeElement))).toBe(true);
});

test("a task-list link moves focus to its section, and Tab goes on from there", async ({ page }) => {
  // The carer needs no second factor: her child's PEP opens straight away.
  await signInWithPassword(page, 'linda.bennett@example.com');
  await page.goto('/peps/demo-child-jayden-pep-2026-autumn');
  await hydrated(page);
  const tasks = page.getByRole('list', { name: 'Task list' });
  const link = tasks.getByRole('link').filter({ hasText: /carer's contribution/i });
  await link.focus();
  await page.keyboard.press('Enter');
  const section = page.locator('#section-carer_contribution');
  await expect(section).toBeFocused();
  // The next Tab goes on from the section (into it, or past it when other tests have left it
  // read-only), never back to the task list before it.
  await page.keyboard.press('Tab');
  const onFromSection = await page.evaluate(() => {
    const section = document.getElementById('section-carer_contribution');
    const active = document.activeElement;
    return section.contains(active)
      || Boolean(section.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  expect(onFromSection).toBe(true);
});

test('an error summary link moves focus to its field', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').getByRole('link', { name: 'Enter your password' }).click();
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
});
