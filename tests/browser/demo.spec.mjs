// Walks the demo site (examples/demo) in Debian's headless chromium, as a person would: sign up,
// fill a cart, switch theme and language, restart the server and find it all still there, log in
// from a second browser, log that one out from the first, and check that forged cookies, missing
// CSRF tokens and password guessing are refused. Saves screenshots of the main pages. The live
// parts: a second tab of the first browser sees the cart badge and "Your sessions" change without a
// reload, and a page whose session is logged out elsewhere reloads itself signed out (its
// WebSocket closed with 4401).
//
//   node demo.spec.mjs --demo BUILD_DIR/examples/demo [--screenshots DIR] [--store redis://...] [--tls]
//
// --tls: the same walk over HTTPS (the demo with --tls-cert/--tls-key, a certificate from
// scripts/make-cert.sh, which chromium is told to accept), and the session cookie must be Secure.
//
// --store: any store that outlives the demo process (the restart step needs one); by default
// a new SQLite file in a temporary folder.
//
// Prints one line per step and "N passed, M failed" last; exits 1 when a step failed.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { DemoServer } from './demo_server.mjs';

const options = parseArgs(process.argv.slice(2));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cortado-browser-'));
const shots = options.screenshots ?? path.join(tmp, 'screenshots');
fs.mkdirSync(shots, { recursive: true });

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; ++i) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = inline ?? argv[++i];
    if (flag === '--demo') out.demo = path.resolve(value);
    else if (flag === '--screenshots') out.screenshots = path.resolve(value);
    else if (flag === '--store') out.store = value;
    else if (flag === '--tls') {
      out.tls = true;
      if (inline === undefined) --i;  // a switch: takes no value
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!out.demo) throw new Error('usage: node demo.spec.mjs --demo PATH [--screenshots DIR] [--store SPEC]');
  if (out.store === 'memory') throw new Error('--store memory forgets everything on the restart step');
  return out;
}

// The sqlite files are relative to the demo's working folder, the temporary one, as a person
// running it would see them.
const tlsArgs = [];
if (options.tls) {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'make-cert.sh');
  execFileSync('bash', [script, path.join(tmp, 'cert')], { stdio: 'ignore' });
  tlsArgs.push('--tls-cert', path.join(tmp, 'cert', 'cert.pem'), '--tls-key', path.join(tmp, 'cert', 'key.pem'));
}
const demo = await DemoServer.create(options.demo, tmp,
                                     ['--store', options.store ?? 'sqlite:./demo-sessions.db', '--users', './demo-users.db',
                                      ...tlsArgs], options.tls ? 'https' : 'http');
const base = demo.base;

// --- steps -----------------------------------------------------------------------------------

let passed = 0;
let failed = 0;
async function step(name, body) {
  try {
    await body();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(error?.stack ?? error).split('\n').slice(0, 4).join('\n     ')}`);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const text = async (page, selector) => (await page.textContent(selector))?.trim() ?? '';
const signedIn = async (page) => (await page.locator('#signed-in').count()) > 0;
const cartCount = async (page) => Number(await text(page, '#cart-count'));
const shot = (page, name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

// The page's live socket (/live.js) is open: what it is sent from now on reaches it.
const liveOpen = (page) => page.waitForSelector('html[data-live="open"]', { state: 'attached' });
// Waits until the page, left alone, shows `want` rows in "Your sessions" / `want` in the cart badge.
const rowsBecome = (page, want) =>
  page.waitForFunction((n) => document.querySelectorAll('#sessions tbody tr').length === n, want);
const badgeBecomes = (page, want) =>
  page.waitForFunction((n) => document.getElementById('cart-count')?.textContent.trim() === String(n), want);

// Clicks a form's button and waits for the page it leads to (POST, 303, then the GET).
async function submitForm(page, action, button = 'button[type=submit]') {
  await Promise.all([page.waitForNavigation(), page.click(`form[action="${action}"] ${button}`)]);
}

const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                      '--disable-background-networking', '--disable-component-update', '--disable-sync',
                      ...(options.tls ? ['--ignore-certificate-errors'] : [])];
// The self-signed certificate, for playwright's own requests (first.request) too.
const contextOptions = options.tls ? { ignoreHTTPSErrors: true } : {};
const user = 'ada';  // the users database is new on every run
const password = 'correct horse battery staple';
let first = null;  // the first person's browser: a fresh profile
let second = null;  // a second context of the same browser: its own cookies, as another device

try {
  await demo.start();
  first = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs, ...contextOptions,
    viewport: { width: 1100, height: 760 },
  });
  first.setDefaultTimeout(10000);
  const page = first.pages()[0] ?? await first.newPage();

  await step('the shop opens and counts the visits of this session', async () => {
    await page.goto(`${base}/`);
    expect((await text(page, '#visits')).endsWith(': 1'), `first visit: ${await text(page, '#visits')}`);
    await page.reload();
    expect((await text(page, '#visits')).endsWith(': 2'), `second visit: ${await text(page, '#visits')}`);
    expect(!(await signedIn(page)), 'signed in before signing up');
  });

  if (options.tls) {
    await step('over HTTPS the session cookie is Secure', async () => {
      const cookie = (await first.cookies(base)).find((c) => c.name === 'connect.sid');
      expect(cookie, 'no session cookie');
      expect(cookie.secure === true, `the session cookie is not Secure: ${JSON.stringify(cookie)}`);
    });
  }

  await step('sign up', async () => {
    await page.goto(`${base}/signup`);
    await page.fill('input[name=username]', user);
    await page.fill('input[name=password]', password);
    await submitForm(page, '/signup');
    expect(new URL(page.url()).pathname === '/', `after sign-up: ${page.url()}`);
    expect((await text(page, '#signed-in')).includes(user), 'the nav does not name the new user');
    expect((await text(page, '.flash-ok')).includes(user), 'no welcome message');
  });

  await step('add to the cart, change a quantity, remove an item', async () => {
    await submitForm(page, '/cart/add', 'input[value=beans] ~ button');
    await submitForm(page, '/cart/add', 'input[value=grinder] ~ button');
    await submitForm(page, '/cart/add', 'input[value=glass] ~ button');
    expect(await cartCount(page) === 3, `cart count after adding: ${await cartCount(page)}`);
    await shot(page, 'shop');
    await page.goto(`${base}/cart`);
    const beans = page.locator('form[action="/cart/update"]:has(input[value=beans])');
    await beans.locator('input[name=quantity]').fill('3');
    await Promise.all([page.waitForNavigation(), beans.locator('button').click()]);
    await submitForm(page, '/cart/remove', 'input[value=glass] ~ button');
    expect(await cartCount(page) === 4, `cart count after the changes: ${await cartCount(page)}`);
    expect(await text(page, '#cart-total') === '€77.50', `total: ${await text(page, '#cart-total')}`);
  });

  await step('switch to the dark theme and French', async () => {
    await page.goto(`${base}/preferences`);
    await page.check('input[name=theme][value=dark]');
    await page.selectOption('select[name=lang]', 'fr');
    await submitForm(page, '/preferences');
    expect(await page.getAttribute('body', 'class') === 'theme-dark', 'the theme is not dark');
    expect(await page.getAttribute('html', 'lang') === 'fr', 'the page is not in French');
    expect((await text(page, 'a[href="/cart"]')).startsWith('Panier'), 'the nav is not in French');
  });

  await step('restart the server: the cart, the theme and the login are still there', async () => {
    await demo.restart();
    await page.goto(`${base}/cart`);
    expect(await cartCount(page) === 4, `cart count after the restart: ${await cartCount(page)}`);
    expect(await text(page, '#cart-total') === '€77.50', `total after the restart: ${await text(page, '#cart-total')}`);
    expect(await page.getAttribute('body', 'class') === 'theme-dark', 'the theme was lost');
    expect(await page.getAttribute('html', 'lang') === 'fr', 'the language was lost');
    expect(await signedIn(page), 'the login was lost');
    await shot(page, 'cart');
    // Back to English for the screenshots that follow; the theme stays dark.
    await page.goto(`${base}/preferences`);
    await page.selectOption('select[name=lang]', 'en');
    await submitForm(page, '/preferences');
  });

  // A second tab of the first browser (the same session), left on "Your sessions": the live steps
  // below watch it change without touching it.
  const tab = await first.newPage();
  await step('a second tab on "Your sessions" opens its live socket', async () => {
    await tab.goto(`${base}/sessions`);
    await liveOpen(tab);
    expect(await tab.locator('#sessions tbody tr').count() === 1, 'not one session');
  });

  second = await first.browser().newContext({ viewport: { width: 1100, height: 760 }, ...contextOptions });
  second.setDefaultTimeout(10000);
  const other = await second.newPage();

  await step('log in from a second browser', async () => {
    await other.goto(`${base}/login`);
    await other.fill('input[name=username]', user.toUpperCase());  // names are case-insensitive
    await other.fill('input[name=password]', password);
    await submitForm(other, '/login');
    expect(await signedIn(other), 'the second browser is not signed in');
    expect(await cartCount(other) === 0, 'the second browser shares the first one\'s cart');
  });

  await step('live: the open tab\'s "Your sessions" lists the new login without a reload', async () => {
    await rowsBecome(tab, 2);
  });

  await step('live: add to the cart in one tab, the other tab\'s badge changes', async () => {
    await page.goto(`${base}/`);
    const before = await cartCount(page);
    expect(await cartCount(tab) === before, `the tabs disagree before: ${await cartCount(tab)} and ${before}`);
    await submitForm(page, '/cart/add', 'input[value=glass] ~ button');
    await badgeBecomes(tab, before + 1);
    await page.goto(`${base}/cart`);
    await submitForm(page, '/cart/remove', 'input[value=glass] ~ button');
    await badgeBecomes(tab, before);
  });

  await step('"Your sessions" lists both browsers', async () => {
    await page.goto(`${base}/sessions`);
    expect(await page.locator('#sessions tbody tr').count() === 2, 'not two sessions');
    expect(await page.locator('#sessions tr.current').count() === 1, 'the current session is not marked');
    await shot(page, 'sessions');
  });

  await step('"Log out" on one row of "Your sessions": that browser\'s open page sees it at once', async () => {
    await other.goto(`${base}/`);
    await liveOpen(other);
    await page.goto(`${base}/sessions`);
    const action = await page.getAttribute('#sessions tbody tr:not(.current) form', 'action');
    expect(/^\/sessions\/[^/]+\/logout$/.test(action ?? ''), `the other row's form: ${action}`);
    // Store::destroy ends that session; the demo tells its pages (send_to_session), which reload.
    const reloaded = other.waitForEvent('load');
    await submitForm(page, action);
    await reloaded;
    expect(!(await signedIn(other)), 'the second browser\'s open page still shows it signed in');
    await rowsBecome(tab, 1);
    // Signed in again for the next step.
    await other.goto(`${base}/login`);
    await other.fill('input[name=username]', user);
    await other.fill('input[name=password]', password);
    await submitForm(other, '/login');
    expect(await signedIn(other), 'the second browser could not log in again');
    await rowsBecome(tab, 2);
  });

  await step('"log out everywhere else" logs the second browser out, and its open page sees it at once', async () => {
    await other.goto(`${base}/`);
    await liveOpen(other);
    expect(await signedIn(other), 'the second browser is not signed in');
    // Its socket is closed with 4401 and the page reloads itself, signed out.
    const reloaded = other.waitForEvent('load');
    await submitForm(page, '/sessions/logout-others');
    expect(await page.locator('#sessions tbody tr').count() === 1, 'other sessions are still listed');
    await reloaded;
    expect(!(await signedIn(other)), 'the second browser\'s open page still shows it signed in');
    await rowsBecome(tab, 1);
    await other.goto(`${base}/`);
    expect(!(await signedIn(other)), 'the second browser is still signed in');
    await other.goto(`${base}/sessions`);
    expect(new URL(other.url()).pathname === '/login', `"Your sessions" without a login: ${other.url()}`);
    await page.goto(`${base}/`);
    expect(await signedIn(page), 'the first browser was logged out too');
  });

  await step('a forged or tampered session cookie is refused', async () => {
    const [cookie] = (await first.cookies(base)).filter((c) => c.name === 'connect.sid');
    expect(cookie && decodeURIComponent(cookie.value).startsWith('s:'), 'no signed session cookie');
    const [sid, signature] = decodeURIComponent(cookie.value).slice(2).split('.');
    const flip = (s) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const forgeries = [`s:${sid}.${flip(signature)}`, `s:${flip(sid)}.${signature}`, `s:${sid}`, sid,
                       's:made-up-session-id.bm90IGEgc2lnbmF0dXJl'];
    for (const forged of forgeries) {
      const thief = await first.browser().newContext(contextOptions);
      await thief.addCookies([{ name: 'connect.sid', value: encodeURIComponent(forged), url: base }]);
      const p = await thief.newPage();
      await p.goto(`${base}/sessions`);
      const refused = new URL(p.url()).pathname === '/login' && !(await signedIn(p));
      await thief.close();
      expect(refused, `accepted the forged cookie ${forged}`);
    }
  });

  await step('a form POST without the CSRF token, or with a wrong one, gets 403', async () => {
    await page.goto(`${base}/cart`);
    const before = await cartCount(page);
    const missing = await first.request.post(`${base}/cart/add`, { form: { sku: 'beans' }, maxRedirects: 0 });
    const wrong = await first.request.post(`${base}/cart/add`,
                                           { form: { sku: 'beans', _csrf: 'x'.repeat(32) }, maxRedirects: 0 });
    const logout = await first.request.post(`${base}/sessions/logout-others`, { form: {}, maxRedirects: 0 });
    expect(missing.status() === 403, `no token: ${missing.status()}`);
    expect(wrong.status() === 403, `wrong token: ${wrong.status()}`);
    expect(logout.status() === 403, `no token on log-out-others: ${logout.status()}`);
    await page.reload();
    expect(await cartCount(page) === before, 'a refused POST changed the cart');
  });

  await step('the session inspector shows the cookie and the stored JSON', async () => {
    await page.goto(`${base}/inspector`);
    const sent = await text(page, '#cookie-sent');
    expect(sent.startsWith('connect.sid=s%3A'), `cookie shown: ${sent}`);
    const stored = JSON.parse(await text(page, '#stored-json'));
    expect(stored.cookie?.httpOnly === true && stored.cart?.beans === 3 && stored.user?.name === user,
           `stored JSON: ${JSON.stringify(stored)}`);
    expect(Object.keys(stored)[0] === 'cookie', 'the stored JSON does not start with "cookie"');
    await shot(page, 'inspector');
  });

  await step('repeated wrong passwords are throttled', async () => {
    let last = null;
    const statuses = [];
    for (let i = 0; i < 6; ++i) {
      await other.goto(`${base}/login`);
      await other.fill('input[name=username]', user);
      await other.fill('input[name=password]', `wrong password ${i}`);
      [last] = await Promise.all([other.waitForResponse((r) => r.url() === `${base}/login` &&
                                                                r.request().method() === 'POST'),
                                  other.click('form[action="/login"] button[type=submit]')]);
      statuses.push(last.status());
    }
    expect(last.status() === 429, `statuses of six wrong passwords: ${statuses}`);
    await other.fill('input[name=password]', password);
    const [right] = await Promise.all([other.waitForResponse((r) => r.url() === `${base}/login`),
                                       other.click('form[action="/login"] button[type=submit]')]);
    expect(right.status() === 429, `the right password while throttled: ${right.status()}`);
    await shot(other, 'login-throttled');
  });

  await step('log out: a new session without the user or the cart, the theme kept', async () => {
    await tab.goto(`${base}/`);
    await liveOpen(tab);
    const tabReloaded = tab.waitForEvent('load');
    await page.goto(`${base}/`);
    const before = (await first.cookies(base)).find((c) => c.name === 'connect.sid')?.value;
    await submitForm(page, '/logout');
    expect(!(await signedIn(page)), 'still signed in');
    expect(await cartCount(page) === 0, 'the cart survived the log-out');
    expect(await page.getAttribute('body', 'class') === 'theme-dark', 'the theme was lost');
    const after = (await first.cookies(base)).find((c) => c.name === 'connect.sid')?.value;
    expect(after && after !== before, 'the session id did not change');
    // The other tab's session ended with this log-out: it reloaded itself, signed out.
    await tabReloaded;
    expect(!(await signedIn(tab)), 'the other tab still shows the user signed in');
  });
} catch (error) {
  failed++;
  console.log(`FAIL the walk could not go on: ${error?.stack ?? error}`);
} finally {
  await second?.close().catch(() => {});
  await first?.close().catch(() => {});
  await demo.stop();
  if (failed > 0 && demo.log) console.log(`demo's stderr:\n${demo.log}`);
  console.log(`screenshots in ${shots}`);
  if (!options.screenshots) console.log('(temporary: pass --screenshots DIR to keep them)');
  else fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
}
process.exit(failed === 0 ? 0 : 1);
