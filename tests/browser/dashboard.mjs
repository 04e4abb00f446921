// The dashboard of `kpi serve` in Debian's headless Chromium, driven by
// playwright-core: it loads, a weight changed gives a what-if, a saved rule
// file updates the page, a broken one shows the banner (and the figures
// stay), fixing it clears it; no console error on the way. Screenshots go
// to $KPI_SHOTS. Run by tests/dashboard.rs with $KPI_URL and $KPI_RULES.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';

const url = process.env.KPI_URL;
const rules = process.env.KPI_RULES;
const shots = process.env.KPI_SHOTS;
const seen = { errors: [], steps: [] };
const step = (s) => seen.steps.push(s);
// Polls through the page's text (the dashboard's policy allows no eval,
// which waitForFunction would need).
async function until(page, selector, test) {
  for (let i = 0; i < 400; i++) {
    const text = await page.textContent(selector);
    if (test(text)) return text;
    await page.waitForTimeout(50);
  }
  throw new Error('waited in vain on ' + selector);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  await page.goto(url);
  await until(page, '#score', (t) => t !== '—');
  await page.waitForSelector('#live.on');
  seen.title = await page.textContent('#title');
  seen.score = await page.textContent('#score');
  await page.screenshot({ path: shots + '/1-loaded.png' });
  step('loaded');

  // A weight changed: the what-if table shows the change.
  await page.fill('#w-cost', '0');
  await page.click('#run');
  await page.waitForSelector('#whatif-overall');
  seen.whatif = await page.textContent('#whatif-overall');
  await page.screenshot({ path: shots + '/2-whatif.png' });
  step('what-if');

  // The drill-down of an indicator.
  await page.selectOption('#indicator', 'response_rate');
  seen.drill = await page.textContent('#drill');
  step('drill-down');

  // A rule file saved: the page updates by itself.
  const file = rules + '/engagement.kpi';
  const text = readFileSync(file, 'utf8');
  const before = await page.textContent('#revision');
  writeFileSync(file, text.replace('weight = 25', 'weight = 40'));
  await until(page, '#revision', (t) => t !== before);
  seen.updatedScore = await page.textContent('#score');
  seen.keptInput = await page.inputValue('#w-cost');
  // The what-if on screen is against the new saved figures.
  seen.whatifAfterSave = await until(page, '#whatif-overall', (t) => t.includes(seen.updatedScore));
  step('saved');

  // A broken save: the banner, and the figures stay.
  writeFileSync(file, text.replace('where responded)', 'where respnded)'));
  await page.waitForSelector('#banner:not([hidden])');
  seen.banner = await page.textContent('#banner');
  seen.scoreDuringBanner = await page.textContent('#score');
  await page.locator('header').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shots + '/3-banner.png' });
  step('broken');

  writeFileSync(file, text);
  await page.waitForSelector('#banner', { state: 'hidden' });
  step('fixed');
} catch (e) {
  seen.failure = String(e);
} finally {
  await browser.close();
  writeFileSync(shots + '/seen.json', JSON.stringify(seen, null, 2));
}
