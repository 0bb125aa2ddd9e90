// Data in views is data: names with markup render as text, avatar addresses other than
// http(s) are not loaded, unknown codes, hints, reasons, languages and screens fall back
// safely, and nothing runs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openKiosk, pushView, screenshotPath, startServer } from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const XSS = '<img src=x onerror="window.__pwned=1">';

test('a first name full of markup is shown as text, on the greeting and the bar', async () => {
  const user = { first_name: XSS, avatar_url: 'javascript:window.__pwned=2' };
  const kiosk = await openKiosk(browser, server, { screen: 'greeting', language: 'en', user });
  const { page } = kiosk;
  try {
    assert.equal(await page.textContent('h1'), `Hi, ${XSS}!`);
    await page.screenshot({ path: screenshotPath('hostile-greeting') });
    await pushView(page, { screen: 'signed_in', language: 'en', user, idle: null });
    assert.ok((await page.textContent('.bar-name')).includes(XSS));
    const state = await page.evaluate(() => ({
      pwned: window.__pwned ?? null,
      imgs: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src')),
      csp: window.__mock.csp,
    }));
    assert.equal(state.pwned, null);
    assert.deepEqual(state.imgs, ['pictures/person.svg'], 'only the neutral figure is shown');
    assert.deepEqual(state.csp, []);
  } finally {
    await kiosk.close();
  }
});

test('a long name is cut, an https avatar is used, nothing is navigated to', async () => {
  const user = { first_name: 'A'.repeat(3000), avatar_url: 'https://portal.example.org/a.png' };
  const kiosk = await openKiosk(browser, server, { screen: 'greeting', language: 'es', user });
  const { page } = kiosk;
  try {
    assert.equal(await page.textContent('h1'), `¡Hola, ${'A'.repeat(64)}!`);
    // The address is unreachable here, so the picture falls back to the figure.
    await page.waitForFunction(() => document.querySelector('.avatar').src.endsWith('pictures/person.svg'));
    assert.equal(new URL(page.url()).pathname, '/index.html');
  } finally {
    await kiosk.close();
  }
});

test('unknown codes, hints, reasons, languages and screens fall back without breaking', async () => {
  const kiosk = await openKiosk(browser, server, {
    screen: 'result',
    language: 'fr',
    code: '<b>boom</b>',
    retry_after: -5,
  });
  const { page } = kiosk;
  try {
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.getAttribute('.message', 'data-code'), 'unknown');
    assert.equal(await page.textContent('.retry'), '');
    await pushView(page, { screen: 'scanning', language: 'en', hint: 'javascript:alert(1)' });
    assert.equal(await page.textContent('#hint-text'), 'Show me your badge!');
    await pushView(page, { screen: 'camera_trouble', language: 'es', reason: '<svg onload=x>' });
    assert.ok((await page.textContent('.message-text')).includes('No hay ninguna cámara'));
    // A screen this UI does not know is ignored: the last good one stays.
    await page.evaluate(() => window.__mock.emit('view', { screen: '__proto__', language: 'en' }));
    await page.evaluate(() => window.__mock.emit('view', null));
    assert.equal(await page.evaluate(() => document.body.dataset.screen), 'camera_trouble');
    const errors = await page.evaluate(() => [...window.__mock.errors, ...window.__mock.csp]);
    assert.deepEqual(errors, []);
    assert.deepEqual(kiosk.pageErrors, []);
  } finally {
    await kiosk.close();
  }
});
