// Settings IT set in the managed configuration (`get_setup`'s `locked`): on the setup screen
// each is disabled, says "Set by your school's IT" (en and es), and a screen reader hears the
// reason with the control (Chromium's own accessibility tree, as assistive technology gets
// it); what is not locked stays usable, and axe finds nothing serious.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { SETUP, openKiosk, screenshotPath, startServer, launchBrowser, waitForCall } from './harness.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const ALL = ['portal_url', 'kiosk_name', 'idle_timeout_secs', 'language', 'sounds'];
const CONTROLS = {
  portal_url: 'setup-portal-url',
  kiosk_name: 'setup-kiosk-name',
  idle_timeout_secs: 'setup-idle',
  language: 'setup-language',
  sounds: 'setup-sounds',
};
const REASON = { en: "Set by your school's IT", es: 'Lo configura el equipo de TI de tu escuela' };

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

async function openSetup(language, locked) {
  const kiosk = await openKiosk(
    browser,
    server,
    { screen: 'setup', language, enrolled: true, message: null },
    { setup: { ...SETUP, language, locked } },
  );
  await waitForCall(kiosk.page, 'get_setup');
  await kiosk.page.waitForFunction(() => document.getElementById('setup-portal-url').value !== '');
  return kiosk;
}

/** Each control as Chromium's accessibility tree gives it to a screen reader. */
async function announced(page, ids) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Accessibility.enable');
  const out = {};
  for (const id of ids) {
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: `#${id}` });
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
    const node = nodes[0];
    const prop = (name) => node.properties?.find((p) => p.name === name)?.value?.value;
    out[id] = {
      name: node.name?.value,
      description: node.description?.value ?? null,
      disabled: prop('disabled') === true,
    };
  }
  await cdp.detach();
  return out;
}

for (const language of ['en', 'es']) {
  test(`${language}: locked settings are disabled and say why, to the eye and to a screen reader`, async () => {
    const kiosk = await openSetup(language, ALL);
    const { page } = kiosk;
    try {
      const seen = await announced(page, [...Object.values(CONTROLS), 'setup-camera', 'setup-enroll-code']);
      for (const id of Object.values(CONTROLS)) {
        assert.equal(seen[id].disabled, true, `${id} disabled`);
        assert.equal(seen[id].description, REASON[language], `${id} announces why`);
        assert.ok(seen[id].name, `${id} keeps its label`);
        const note = await page.$eval(`#${id}`, (el) => {
          const n = document.getElementById(el.getAttribute('aria-describedby'));
          return n && n.getClientRects().length > 0 ? n.textContent : null;
        });
        assert.equal(note, REASON[language], `${id}: the reason is shown`);
      }
      for (const id of ['setup-camera', 'setup-enroll-code']) {
        assert.deepEqual([seen[id].disabled, seen[id].description], [false, null], `${id} is not managed`);
      }
      // The values shown are IT's (what get_setup gave).
      assert.equal(await page.$eval('#setup-idle', (el) => el.value), '120');
      // A disabled control cannot be typed into, and focus was not lost with it.
      await page.locator('#setup-kiosk-name').type('x', { timeout: 500 }).catch(() => {});
      assert.equal(await page.$eval('#setup-kiosk-name', (el) => el.value), SETUP.kiosk_name);
      assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), 'BODY');
      if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
      const problems = await page.evaluate(() =>
        window.axe
          .run(document, { resultTypes: ['violations'] })
          .then((r) => r.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => v.id)),
      );
      assert.deepEqual(problems, []);
      await page.screenshot({ path: screenshotPath(`setup-locked-${language}`), fullPage: true });
    } finally {
      await kiosk.close();
    }
  });
}

test('only what IT set is locked; nothing is locked without a managed configuration', async () => {
  for (const [locked, want] of [
    [['language'], ['setup-language']],
    [[], []],
    // Whatever a broken shell sends, nothing breaks and unknown names lock nothing.
    [['camera_index', 42, null, 'sounds'], ['setup-sounds']],
    ['portal_url', []],
    [undefined, []],
  ]) {
    const kiosk = await openSetup('en', locked);
    try {
      const disabled = await kiosk.page.$$eval('#screen input, #screen select', (els) =>
        els.filter((el) => el.disabled).map((el) => el.id),
      );
      assert.deepEqual(disabled, want, JSON.stringify(locked));
      assert.deepEqual(kiosk.pageErrors, []);
    } finally {
      await kiosk.close();
    }
  }
});
