// Every screen, in en and es: axe-core finds no serious or critical problem,
// every control is at least 44 px, every picture loads, the state is announced, nothing breaks
// the CSP; a screenshot of each goes to target/ui-screenshots/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { FIXTURES, MAYA, SCREENS } from './fixtures.mjs';
import {
  SETUP,
  UI,
  launchBrowser,
  openKiosk,
  pushView,
  screenshotPath,
  startServer,
  waitForCall,
} from './harness.mjs';

// Every Code: the keys of catalog.js's map, which `tsc` holds to the Rust `Code`.
const CODES = Object.keys((await import(pathToFileURL(join(UI, 'js', 'catalog.js')).href)).CODES);
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

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

async function axeProblems(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      resultTypes: ['violations'],
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
    }).then((r) =>
      r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.map((n) => n.target.join(' ')),
      })),
    ),
  );
  return result;
}

/** Visible controls smaller than 44 x 44 CSS px (WCAG 2.5.5 AAA size, asked for by K2). */
function smallTargets(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('button, input, select, a[href], [role="button"]')]
      .filter((el) => el.getClientRects().length > 0 && !el.closest('[hidden]'))
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width < 44 || r.height < 44)
      .map(({ el, r }) => `${el.outerHTML.slice(0, 80)} ${r.width}x${r.height}`),
  );
}

function brokenPictures(page) {
  return page.evaluate(() =>
    Promise.all(
      [...document.querySelectorAll('#screen img')].map((img) =>
        img.decode().then(
          () => null,
          () => img.getAttribute('src'),
        ),
      ),
    ).then((all) => all.filter(Boolean)),
  );
}

/** The text of the live regions once the announcement's frame has run. */
async function announced(page) {
  await page.waitForFunction(
    () =>
      (document.getElementById('live-polite').textContent +
        document.getElementById('live-assertive').textContent).trim().length > 0,
    null,
    { timeout: 3_000 },
  );
  return page.evaluate(
    () =>
      document.getElementById('live-polite').textContent +
      document.getElementById('live-assertive').textContent,
  );
}

test('the fixtures cover every screen', () => {
  const covered = new Set(FIXTURES.map(([, v]) => v.screen));
  assert.deepEqual([...covered].sort(), [...SCREENS].sort());
});

for (const language of ['en', 'es']) {
  test(`every screen in ${language}: accessible, big targets, pictures, announced, CSP-clean`, async () => {
    const [, first] = FIXTURES[0];
    const kiosk = await openKiosk(browser, server, { ...first, language });
    const { page } = kiosk;
    const report = [];
    try {
      for (const [name, fixture] of FIXTURES) {
        const view = { ...fixture, language };
        // Leave for a screen without announcements so each fixture's own is observed fresh.
        const neutral = view.screen === 'signing_in' ? 'signing_out' : 'signing_in';
        await pushView(page, { screen: neutral, language });
        await page.evaluate(() => {
          document.getElementById('live-polite').textContent = '';
          document.getElementById('live-assertive').textContent = '';
        });
        await pushView(page, view);
        assert.equal(await page.evaluate(() => document.documentElement.lang), language, name);
        const said = await announced(page).catch((e) => assert.fail(`${name}: ${e.message}`));
        assert.ok(said.trim().length > 3, `${name}: nothing announced`);
        const problems = await axeProblems(page);
        const serious = problems.filter((p) => p.impact === 'serious' || p.impact === 'critical');
        assert.deepEqual(serious, [], `${language}/${name}: axe found serious problems`);
        report.push(...problems.map((p) => `${language}/${name}: ${p.impact} ${p.id}`));
        assert.deepEqual(await smallTargets(page), [], `${language}/${name}: targets under 44 px`);
        assert.deepEqual(await brokenPictures(page), [], `${language}/${name}: pictures missing`);
        await page.screenshot({ path: screenshotPath(`${language}-${name}`), fullPage: true });
      }
      const mock = await page.evaluate(() => ({ csp: window.__mock.csp, errors: window.__mock.errors }));
      assert.deepEqual(mock.csp, [], 'CSP violations');
      assert.deepEqual(mock.errors, [], 'script errors');
      assert.deepEqual(kiosk.pageErrors, [], 'page errors');
      if (report.length) console.log(`# minor axe findings:\n# ${report.join('\n# ')}`);
    } finally {
      await kiosk.close();
    }
  });
}

test('every Code shows its picture and its sentence on the result screen, in en and es', async () => {
  const kiosk = await openKiosk(browser, server, { screen: 'signing_in', language: 'en' });
  const { page } = kiosk;
  try {
    for (const language of ['en', 'es']) {
      const sentences = new Map();
      for (const code of CODES) {
        // One result after another: the screen's update path replaces picture and sentence.
        await pushView(page, { screen: 'result', language, code, retry_after: null });
        await page.waitForSelector(`.message[data-code="${code}"]`);
        const shown = await page.evaluate(() => ({
          code: document.querySelector('.message')?.dataset.code,
          text: document.querySelector('.message-text')?.textContent ?? '',
        }));
        assert.equal(shown.code, code);
        assert.ok(shown.text.length > 3, `${language}/${code} has no sentence`);
        assert.deepEqual(await brokenPictures(page), [], `${language}/${code}`);
        sentences.set(code, shown.text);
        await page.screenshot({ path: screenshotPath(`${language}-code-${code}`) });
      }
      // The sentences are the catalog's, in the view's language, not one text for all codes.
      assert.ok(new Set(sentences.values()).size >= CODES.length - 4);
    }
  } finally {
    await kiosk.close();
  }
});

test('a locked typed sign-in says when to try again, the way each language writes the time', async () => {
  const kiosk = await openKiosk(browser, server, { screen: 'signing_in', language: 'en' });
  const { page } = kiosk;
  try {
    for (const [language, until, sentence] of [
      ['en', { hour: 13, minute: 5 }, 'Too many tries. Try again at 1:05 PM.'],
      ['en', { hour: 0, minute: 30 }, 'Too many tries. Try again at 12:30 AM.'],
      ['es', { hour: 9, minute: 42 }, 'Demasiados intentos. Vuelve a intentarlo a las 9:42.'],
      ['es', { hour: 1, minute: 5 }, 'Demasiados intentos. Vuelve a intentarlo a la 1:05.'],
    ]) {
      await pushView(page, { screen: 'signing_in', language });
      await pushView(page, { screen: 'typed', language, error: 'account_locked', busy: false, until });
      await page.waitForSelector('.form-error .message[data-code="account_locked"]');
      assert.equal(await page.textContent('.form-error .message-text'), sentence);
    }
    // Without the time (an older portal), the code's own sentence.
    await pushView(page, { screen: 'signing_in', language: 'en' });
    await pushView(page, { screen: 'typed', language: 'en', error: 'account_locked', busy: false, until: null });
    await page.waitForSelector('.form-error .message[data-code="account_locked"]');
    assert.equal(
      await page.textContent('.form-error .message-text'),
      'Too many tries. Wait a while or ask your teacher.',
    );
  } finally {
    await kiosk.close();
  }
});

test('a failure sounds, speaks in the view language, and sounds off silences both', async () => {
  const kiosk = await openKiosk(browser, server, { screen: 'signing_in', language: 'es' });
  let { page } = kiosk;
  let quiet;
  try {
    await pushView(page, { screen: 'result', language: 'es', code: 'badge_expired' });
    const heard = await page.evaluate(() => ({ tones: window.__mock.tones, spoken: window.__mock.spoken }));
    assert.ok(heard.tones >= 1, 'no tone played');
    assert.deepEqual(heard.spoken.at(-1), {
      text: 'Esta tarjeta es muy vieja. Pide una nueva a tu maestro.',
      lang: 'es-ES',
    });
    // Sounds off is the teacher's setting, which the window reads with `get_setup` (no view
    // carries it).
    quiet = await openKiosk(browser, server, { screen: 'signing_in', language: 'en' }, {
      setup: { ...SETUP, sounds: false },
    });
    page = quiet.page;
    await waitForCall(page, 'get_setup');
    const before = await page.evaluate(() => [window.__mock.tones, window.__mock.spoken.length]);
    await pushView(page, { screen: 'greeting', language: 'en', user: MAYA });
    await pushView(page, { screen: 'result', language: 'en', code: 'badge_expired', retry_after: null });
    assert.deepEqual(await page.evaluate(() => [window.__mock.tones, window.__mock.spoken.length]), before);
  } finally {
    await kiosk.close();
    await quiet?.close();
  }
});

test('the tones suspend WebAudio once they end, and the next sound resumes it', async () => {
  const kiosk = await openKiosk(browser, server, { screen: 'signing_in', language: 'en' });
  const { page } = kiosk;
  // Every state the page's audio context went through ends in `state`, after running.
  const settlesIn = (state) =>
    page.waitForFunction(
      (s) => {
        const states = window.__mock.audioStates ?? [];
        return states.includes('running') && states.at(-1) === s;
      },
      state,
      { timeout: 5_000 },
    );
  try {
    await pushView(page, { screen: 'result', language: 'en', code: 'badge_expired', retry_after: null });
    await settlesIn('suspended');
    const after = await page.evaluate(() => window.__mock.audioStates.length);
    await pushView(page, { screen: 'greeting', language: 'en', user: MAYA });
    // Running again for the chime, then suspended again.
    await page.waitForFunction(
      (n) => window.__mock.audioStates.slice(n).includes('running'),
      after,
      { timeout: 5_000 },
    );
    await settlesIn('suspended');
  } finally {
    await kiosk.close();
  }
});

test('the checks above can fail: axe and the size check see a broken control', async () => {
  const kiosk = await openKiosk(browser, server, { screen: 'signing_in', language: 'en' });
  const { page } = kiosk;
  try {
    await page.evaluate(() => {
      const b = document.createElement('button');
      document.getElementById('screen').prepend(b);
      const p = document.createElement('p');
      p.textContent = 'faint';
      document.getElementById('screen').prepend(p);
      // CSSOM, not a style attribute: allowed by the CSP, like the UI's own code.
      p.style.color = '#cccccc';
    });
    const ids = (await axeProblems(page)).map((p) => `${p.impact} ${p.id}`);
    assert.ok(ids.includes('critical button-name'), ids.join(', '));
    assert.ok(ids.includes('serious color-contrast'), ids.join(', '));
    assert.equal((await smallTargets(page)).length, 1);
  } finally {
    await kiosk.close();
  }
});

test('screen updates announce what changed and nothing else', async () => {
  const kiosk = await openKiosk(browser, server, {
    screen: 'scanning',
    language: 'en',
    hint: null,
    typed_allowed: true,
  });
  const { page } = kiosk;
  const assertive = () => page.textContent('#live-assertive');
  try {
    await pushView(page, { screen: 'scanning', language: 'en', hint: 'more_light', typed_allowed: true });
    await page.waitForFunction(() => document.getElementById('live-polite').textContent.includes('too dark'));
    assert.equal(await page.textContent('#hint-text'), 'It is too dark. Hold your badge up to the light.');
    assert.match(await page.getAttribute('.picture-hint', 'src'), /light\.svg$/);
    const spoken = await page.evaluate(() => window.__mock.spoken.length);
    await pushView(page, { screen: 'scanning', language: 'en', hint: 'more_light', typed_allowed: false });
    assert.equal(await page.evaluate(() => window.__mock.spoken.length), spoken, 'same hint, said again');
    assert.equal(await page.isVisible('text=Type my name and password'), false);

    const user = { first_name: 'Maya' };
    await pushView(page, { screen: 'signed_in', language: 'en', user, idle: { seconds_left: 30 } });
    await page.waitForFunction(() => document.getElementById('live-assertive').textContent.includes('30 seconds'));
    await pushView(page, { screen: 'signed_in', language: 'en', user, idle: { seconds_left: 29 } });
    assert.equal(await page.textContent('.countdown'), 'Signing out in 29 seconds.');
    assert.match(await assertive(), /30 seconds/, 'each tick is not announced');
    await pushView(page, { screen: 'signed_in', language: 'en', user, idle: { seconds_left: 10 } });
    await page.waitForFunction(() => document.getElementById('live-assertive').textContent.includes('10 seconds'));
    await pushView(page, { screen: 'signed_in', language: 'en', user, idle: null });
    assert.equal(await page.isVisible('.idle'), false);
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "I'm done");
  } finally {
    await kiosk.close();
  }
});

test('with no audio and no speech synthesis, pictures and sentences still come', async () => {
  const kiosk = await openKiosk(
    browser,
    server,
    { screen: 'greeting', language: 'en', user: { first_name: 'Leo' } },
    { silent: true },
  );
  const { page } = kiosk;
  try {
    assert.equal(await page.evaluate(() => typeof window.AudioContext), 'undefined');
    assert.equal(await page.textContent('h1'), 'Hi, Leo!');
    await pushView(page, { screen: 'result', language: 'en', code: 'offline' });
    await page.waitForFunction(() =>
      document.getElementById('live-assertive').textContent.includes('not connected'),
    );
    assert.deepEqual(await page.evaluate(() => window.__mock.errors), []);
    assert.deepEqual(kiosk.pageErrors, []);
  } finally {
    await kiosk.close();
  }
});

test('counts take the singular and plural the language wants (Intl.PluralRules)', async () => {
  const kiosk = await openKiosk(browser, server, { screen: 'signing_in', language: 'en' });
  const { page } = kiosk;
  const textOf = (selector) => page.$eval(selector, (el) => el.textContent);
  // Each view is pushed and its sentence awaited, so every count is checked on the page.
  const shows = async (view, selector, expected) => {
    await pushView(page, view);
    await page
      .waitForFunction(([s, e]) => document.querySelector(s)?.textContent === e, [selector, expected], {
        timeout: 3_000,
      })
      .catch(async () => assert.fail(`${JSON.stringify(view)}: ${await textOf(selector).catch(() => 'none')}`));
  };
  const cases = {
    en: {
      pin: ['Too many wrong PINs. Wait 1 second before trying again.', 'Too many wrong PINs. Wait 2 seconds before trying again.'],
      idle: ['Signing out in 1 second.', 'Signing out in 2 seconds.'],
      retry: ['Try again in 1 second.', 'Try again in 2 seconds.'],
    },
    es: {
      pin: [
        'Demasiados PIN incorrectos. Espera 1 segundo antes de volver a intentarlo.',
        'Demasiados PIN incorrectos. Espera 2 segundos antes de volver a intentarlo.',
      ],
      idle: ['La sesión se cierra en 1 segundo.', 'La sesión se cierra en 2 segundos.'],
      retry: ['Inténtalo otra vez en 1 segundo.', 'Inténtalo otra vez en 2 segundos.'],
    },
  };
  try {
    for (const [language, want] of Object.entries(cases)) {
      for (const [i, n] of [1, 2].entries()) {
        await shows({ screen: 'teacher_pin', language, failed: false, wait_secs: n }, '#pin-wait', want.pin[i]);
        await shows({ screen: 'signed_in', language, user: MAYA, idle: { seconds_left: n } }, '.countdown', want.idle[i]);
        await shows({ screen: 'result', language, code: 'rate_limited', retry_after: n }, '.retry', want.retry[i]);
      }
    }
    // Minutes on the PIN pad: a long wait is said in minutes, plural.
    await shows({ screen: 'teacher_pin', language: 'es', failed: false, wait_secs: 1800 }, '#pin-wait', 'Demasiados PIN incorrectos. Espera 30 minutos antes de volver a intentarlo.');
  } finally {
    await kiosk.close();
  }
});
