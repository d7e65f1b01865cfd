// The owner at the registrar's console in Debian's Chromium (ConsoleBrowserTest runs this):
// refused without a session, a forged approval from another site's page changes nothing, then the
// owner signs in, sees the pledge pending, approves it with a click, and watches it reach enrolled.
//
//   CONSOLE_URL=https://127.0.0.1:PORT CONSOLE_PASSWORD=... CONSOLE_SERIAL=SN-... CONSOLE_SPKI=base64(sha256(spki))
//   CONSOLE_OUT=folder node registrar-console.mjs
// Prints one line per step; exits non-zero with the reason when a step does not hold.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const url = process.env.CONSOLE_URL;
const password = process.env.CONSOLE_PASSWORD;
const serial = process.env.CONSOLE_SERIAL;
const out = process.env.CONSOLE_OUT;
const step = (s) => console.log('browser: ' + s);

function fail(why) {
  console.log('browser: FAILED: ' + why);
  process.exitCode = 1;
  throw new Error(why);
}

// the attacker's page: on another site (plain http), and on the same site (https on another port of the
// same host: another service of the owner's), where the browser sends the SameSite=Strict cookie
function attack(req, res) {
  res.setHeader('Content-Type', 'text/html');
  res.end(`<!DOCTYPE html><html><body>
<form id="f" method="POST" action="${url}/console/api/approve" enctype="text/plain">
<input name='{"serial":"${serial}","x":"' value='"}'></form>
<script>
fetch('${url}/console/api/approve', { method: 'POST', mode: 'no-cors', credentials: 'include',
  headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ serial: '${serial}' }) })
  .finally(() => document.getElementById('f').submit());
</script></body></html>`);
}
const evil = createServer(attack);
const tls = process.env.CONSOLE_EVIL_TLS;
const sameSite = createHttpsServer({ key: readFileSync(join(tls, 'key.pem')), cert: readFileSync(join(tls, 'cert.pem')) }, attack);
await new Promise((r) => evil.listen(0, '127.0.0.1', r));
await new Promise((r) => sameSite.listen(0, '127.0.0.1', r));
const attackers = [`http://127.0.0.1:${evil.address().port}/`, `https://127.0.0.1:${sameSite.address().port}/`];

const profile = mkdtempSync(join(tmpdir(), 'avocado-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    // the registrar's TLS key, pinned: what an owner does by trusting the domain CA, without touching this machine's store
    '--ignore-certificate-errors-spki-list=' + process.env.CONSOLE_SPKI],
  viewport: { width: 1400, height: 520 },
});
try {
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // 1. without a session: the sign-in form, no pledges, and the data route refuses
  await page.goto(url + '/console');
  await page.locator('#sign-in').waitFor({ state: 'visible', timeout: 20000 });
  if (await page.locator('#signed-in').isVisible()) fail('the pledges show before sign-in');
  const anonymous = await page.evaluate(async () => {
    const r = await fetch('/console/api/pledges');
    return r.status + ' ' + (await r.text()).trim();
  });
  if (!anonymous.startsWith('401 ')) fail('the pledges without a session: ' + anonymous);
  step('without a session: ' + anonymous);

  // 2. a wrong password
  await page.fill('#password', password + '-wrong');
  await page.click('#sign-in button[type=submit]');
  await page.locator('#status', { hasText: 'sign-in refused: wrong password' }).waitFor({ timeout: 20000 });
  step('wrong password: refused');

  // 3. the right one; the pledge is there, pending
  await page.fill('#password', password);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#signed-in').waitFor({ state: 'visible', timeout: 20000 });
  const row = page.locator(`#pledges tbody tr[data-serial="${serial}"]`);
  await row.locator('td.state', { hasText: /^pending$/ }).waitFor({ timeout: 60000 });
  step('signed in: ' + serial + ' is pending');

  // 4. pages of other origins, in the same browser with the owner signed in, try to approve it
  for (const evilUrl of attackers) {
    const attacker = await context.newPage();
    await attacker.goto(evilUrl);
    await attacker.waitForURL(url + '/console/api/approve', { timeout: 20000 }); // the form posted
    await attacker.waitForLoadState();
    const forged = await attacker.evaluate(() => document.body.innerText.trim().slice(0, 200));
    await attacker.close();
    await page.waitForTimeout(1500); // two polls
    if (await row.locator('td.state').innerText() !== 'pending') fail('the forged approval from ' + evilUrl + ' changed the state');
    step('forged approval from ' + evilUrl + ': still pending (the registrar answered: ' + forged + ')');
  }

  // 5. the owner approves with one click; the device onboards
  await page.screenshot({ path: join(out, 'registrar-console-pending.png') });
  await page.getByRole('button', { name: 'Approve ' + serial }).click();
  await page.locator('#status', { hasText: `serial ${serial} approved` }).waitFor({ timeout: 20000 });
  step('approved by a click');
  await row.locator('td.state', { hasText: /^enrolled$/ }).waitFor({ timeout: 150000 });
  const ldevid = await row.locator('td').nth(5).innerText();
  if (!ldevid.includes('expires')) fail('no LDevID shown for the enrolled pledge: ' + ldevid);
  step('enrolled: LDevID ' + ldevid);
  await page.screenshot({ path: join(out, 'registrar-console.png') });
  if (errors.length) fail('page errors: ' + errors.join('; '));
  step('done');
} finally {
  await context.close();
  evil.close();
  sameSite.close();
  rmSync(profile, { recursive: true, force: true });
}
