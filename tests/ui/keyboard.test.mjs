// Keyboard only (Tab / Shift+Tab / Enter / Space, as a single switch drives them): typed
// sign-in, the idle "I'm still here", sign-out, the teacher chord, the PIN, enrollment and
// setup. Each step asserts the command the shell received.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MAYA } from './fixtures.mjs';
import { calls, launchBrowser, openKiosk, pushView, startServer, waitForCall } from './harness.mjs';

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

// Commands a person caused (not the screens' own reads or the preview stream).
const ACTIONS = (all) =>
  all
    .filter((c) => !['get_view', 'get_setup', 'list_cameras', 'preview', 'preview_ready'].includes(c.cmd))
    .map((c) => (c.args ? [c.cmd, c.args] : [c.cmd]));

function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? (el.id || el.textContent.trim()) : null;
  });
}

async function tabTo(page, name, limit = 20) {
  for (let i = 0; i < limit; i += 1) {
    if ((await focused(page)) === name) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached "${name}" (at "${await focused(page)}")`);
}

const value = (page, sel) => page.$eval(sel, (el) => el.value);

test('typed sign-in, still here and sign-out by keyboard alone', async () => {
  const kiosk = await openKiosk(browser, server, {
    screen: 'scanning',
    language: 'en',
    hint: null,
    typed_allowed: true,
  });
  const { page } = kiosk;
  try {
    // The switch starts on the one action of the screen.
    assert.equal(await focused(page), 'Type my name and password');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(page), 'Español');
    await page.keyboard.press('Enter');
    await waitForCall(page, 'set_language');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await waitForCall(page, 'show_typed');

    await pushView(page, { screen: 'typed', language: 'en', error: null, busy: false });
    assert.equal(await focused(page), 'typed-username');
    await page.keyboard.type('maya.r');
    await page.keyboard.press('Tab');
    await page.keyboard.type('s3cret pass');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Show password');
    await page.keyboard.press('Space');
    assert.equal(await page.$eval('#typed-password', (el) => el.type), 'text');
    assert.equal(await focused(page), 'Hide password');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Sign in');
    await page.keyboard.press('Enter');
    assert.deepEqual(await waitForCall(page, 'sign_in_password'), {
      username: 'maya.r',
      password: 's3cret pass',
    });
    assert.equal(await value(page, '#typed-password'), '', 'the password stays in the field');

    await pushView(page, { screen: 'typed', language: 'en', error: null, busy: true });
    assert.equal(await page.$eval('button[type=submit]', (b) => b.disabled), true);
    await pushView(page, { screen: 'typed', language: 'en', error: 'invalid_credentials', busy: false });
    assert.equal(await focused(page), 'typed-password', 'after a failure the password is next');
    assert.equal(await value(page, '#typed-username'), 'maya.r');
    await page.keyboard.type('right one');
    await page.keyboard.press('Enter');
    assert.deepEqual(await waitForCall(page, 'sign_in_password', 2), {
      username: 'maya.r',
      password: 'right one',
    });

    // Leaving and coming back remembers nothing.
    await pushView(page, { screen: 'scanning', language: 'en', hint: null, typed_allowed: true });
    await pushView(page, { screen: 'typed', language: 'en', error: null, busy: false });
    assert.equal(await value(page, '#typed-username'), '');
    assert.equal(await value(page, '#typed-password'), '');
    assert.equal(await page.$eval('#typed-password', (el) => el.getAttribute('autocomplete')), 'off');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Back to the camera');
    await page.keyboard.press('Space');
    await waitForCall(page, 'cancel_typed');

    await pushView(page, { screen: 'signed_in', language: 'en', user: MAYA, idle: null });
    assert.equal(await focused(page), "I'm done");
    await pushView(page, { screen: 'signed_in', language: 'en', user: MAYA, idle: { seconds_left: 20 } });
    assert.equal(await focused(page), "I'm still here", 'the countdown takes the focus');
    await page.keyboard.press('Space');
    await waitForCall(page, 'still_here');
    await pushView(page, { screen: 'signed_in', language: 'en', user: MAYA, idle: null });
    assert.equal(await focused(page), "I'm done");
    await page.keyboard.press('Enter');
    await waitForCall(page, 'sign_out');

    // A failure leaves with any key, but not with a lone modifier.
    await pushView(page, { screen: 'result', language: 'en', code: 'badge_unknown' });
    await page.keyboard.press('Shift');
    await page.keyboard.press('x');
    await waitForCall(page, 'dismiss');

    assert.deepEqual(ACTIONS(await calls(page)), [
      ['set_language', { language: 'es' }],
      ['show_typed'],
      ['sign_in_password', { username: 'maya.r', password: 's3cret pass' }],
      ['sign_in_password', { username: 'maya.r', password: 'right one' }],
      ['cancel_typed'],
      ['still_here'],
      ['sign_out'],
      ['dismiss'],
    ]);
  } finally {
    await kiosk.close();
  }
});

test('teacher chord, PIN, enrollment, setup save and quit by keyboard alone', async () => {
  const kiosk = await openKiosk(browser, server, {
    screen: 'scanning',
    language: 'en',
    hint: 'hold_still',
    typed_allowed: false,
  });
  const { page } = kiosk;
  try {
    await page.keyboard.press('Control+Alt+Shift+KeyT');
    await waitForCall(page, 'open_teacher');

    await pushView(page, { screen: 'teacher_pin', language: 'en', failed: false, wait_secs: null });
    assert.equal(await focused(page), 'pin-input');
    await page.keyboard.type('135790');
    await page.keyboard.press('Enter');
    assert.deepEqual(await waitForCall(page, 'teacher_unlock'), { pin: '135790' });
    assert.equal(await value(page, '#pin-input'), '');

    await pushView(page, { screen: 'teacher_pin', language: 'en', failed: true, wait_secs: null });
    await page.waitForFunction(() =>
      document.getElementById('live-assertive').textContent.includes('That PIN is not right.'),
    );
    assert.equal(await page.$eval('#pin-wait', (el) => el.hidden), true, 'no wait yet');

    // Too many wrong PINs: the pad says how long to wait, counts down, and ends the wait.
    await pushView(page, { screen: 'teacher_pin', language: 'en', failed: true, wait_secs: 30 });
    await page.waitForFunction(() =>
      document.getElementById('live-assertive').textContent.includes('Wait 30 seconds'),
    );
    assert.equal(await focused(page), 'pin-input');
    assert.match(await page.$eval('#pin-wait', (el) => el.textContent), /Wait 30 seconds/);
    await pushView(page, { screen: 'teacher_pin', language: 'en', failed: true, wait_secs: 29 });
    await page.waitForFunction(() =>
      document.getElementById('pin-wait').textContent.includes('Wait 29 seconds'),
    );
    await page.keyboard.type('000000');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      document.getElementById('live-assertive').textContent.includes('Wait 29 seconds'),
    );
    await pushView(page, { screen: 'teacher_pin', language: 'en', failed: true, wait_secs: 1800 });
    await page.waitForFunction(() =>
      document.getElementById('pin-wait').textContent.includes('Wait 30 minutes'),
    );
    await pushView(page, { screen: 'teacher_pin', language: 'en', failed: true, wait_secs: null });
    await page.waitForFunction(() => document.getElementById('pin-wait').hidden);

    // The pad, one key at a time, as a switch user would.
    for (const digit of ['2', '4', '6', '8', '1', '3']) {
      await tabTo(page, digit);
      await page.keyboard.press('Space');
    }
    await tabTo(page, 'Unlock');
    await page.keyboard.press('Enter');
    assert.deepEqual(await waitForCall(page, 'teacher_unlock', 2), { pin: '246813' });

    await pushView(page, { screen: 'setup', language: 'en', enrolled: false, message: null });
    await page.waitForFunction(() => document.getElementById('setup-portal-url').value !== '');
    assert.equal(await focused(page), 'setup-portal-url');
    assert.equal(await value(page, '#setup-camera'), '1', 'the saved camera is selected');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('https://portal.school.test');
    await tabTo(page, 'setup-enroll-code');
    await page.keyboard.type('ABCD-1234');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Enroll this kiosk');
    await page.keyboard.press('Enter');
    assert.deepEqual(await waitForCall(page, 'enroll'), {
      portal_url: 'https://portal.school.test',
      code: 'ABCD-1234',
      kiosk_name: 'Room 12 reading corner',
    });
    assert.equal(await value(page, '#setup-enroll-code'), '');
    await pushView(page, { screen: 'setup', language: 'en', enrolled: true, message: 'enrolled' });
    await page.waitForFunction(() =>
      document.querySelector('.setup-status').textContent.includes('This kiosk is enrolled.'),
    );

    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'setup-camera');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Test scan');
    await page.keyboard.press('Space');
    await waitForCall(page, 'test_scan');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('300');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'setup-language');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'setup-new-pin');
    await page.keyboard.type('864297');
    await page.keyboard.press('Enter');
    assert.deepEqual(await waitForCall(page, 'save_setup'), {
      portal_url: 'https://portal.school.test',
      kiosk_name: 'Room 12 reading corner',
      camera_index: 0,
      idle_timeout_secs: 300,
      language: 'es',
      sounds: false,
      new_pin: '864297',
    });
    assert.equal(await value(page, '#setup-new-pin'), '');

    await tabTo(page, 'setup-quit-pin');
    await page.keyboard.type('246813');
    await page.keyboard.press('Enter');
    assert.deepEqual(await waitForCall(page, 'quit'), { pin: '246813' });
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(page), 'Done');
    await page.keyboard.press('Enter');
    await waitForCall(page, 'leave_setup');

    assert.deepEqual(
      ACTIONS(await calls(page)).map(([cmd]) => cmd),
      ['open_teacher', 'teacher_unlock', 'teacher_unlock', 'enroll', 'test_scan', 'save_setup', 'quit', 'leave_setup'],
    );
  } finally {
    await kiosk.close();
  }
});

test('a refused command is shown, heard and announced as its code', async () => {
  const kiosk = await openKiosk(
    browser,
    server,
    { screen: 'scanning', language: 'es', hint: null, typed_allowed: true },
    { failing: { show_typed: { code: 'offline', message: 'portal unreachable' } } },
  );
  const { page } = kiosk;
  try {
    await page.keyboard.press('Enter');
    await page.waitForSelector('#command-error:not([hidden]) [data-code="offline"]');
    await page.waitForFunction(() =>
      document.getElementById('live-assertive').textContent.includes('no está conectada'),
    );
  } finally {
    await kiosk.close();
  }
});

test('a kiosk without a PIN: choosing one by keyboard alone, told when the two differ', async () => {
  const kiosk = await openKiosk(browser, server, { screen: 'choose_pin', language: 'en', message: null });
  const { page } = kiosk;
  try {
    assert.equal(await focused(page), 'choose-pin-input');
    await page.waitForFunction(() =>
      document.getElementById('live-polite').textContent.includes('Choose a teacher PIN'),
    );
    await page.keyboard.type('135790');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'choose-pin-again');
    await page.keyboard.type('135709');
    await page.keyboard.press('Enter');
    assert.deepEqual(await waitForCall(page, 'choose_pin'), { pin: '135790', again: '135709' });
    assert.equal(await value(page, '#choose-pin-input'), '');
    assert.equal(await value(page, '#choose-pin-again'), '');

    await pushView(page, { screen: 'choose_pin', language: 'en', message: 'pin_mismatch' });
    await page.waitForFunction(() =>
      document.getElementById('live-assertive').textContent.includes('The two PINs are not the same.'),
    );
    assert.equal(await focused(page), 'choose-pin-input');
    await page.keyboard.type('135790');
    await page.keyboard.press('Tab');
    await page.keyboard.type('135790');
    await tabTo(page, 'Save PIN');
    await page.keyboard.press('Enter');
    assert.deepEqual(await waitForCall(page, 'choose_pin', 2), { pin: '135790', again: '135790' });
    await tabTo(page, 'Cancel');
    await page.keyboard.press('Enter');
    await waitForCall(page, 'leave_setup');
  } finally {
    await kiosk.close();
  }
});
