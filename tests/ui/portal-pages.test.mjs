// The portal's own pages (login, a child's dashboard, the teacher pages, claiming accounts,
// a parent's My children) served by the real
// badgein-portal on 127.0.0.1 and opened in headless Chromium: axe-core finds no serious or
// critical problem in English or Spanish, and a teacher's and an administrator's forms work by
// keyboard alone.
//
// Needs the portal binary: $BADGEIN_PORTAL_BIN, else $CARGO_TARGET_DIR/debug/badgein-portal
// (scripts/test-ui builds it). The portal is started as the e2e tests start it.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { startPortal } from '../e2e/harness.mjs';
import { launchBrowser, screenshotPath } from './harness.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function axeProblems(page) {
  await page.evaluate(axeSource);
  return page.evaluate(() =>
    window.axe
      .run(document, { resultTypes: ['violations'] })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }))),
  );
}

async function assertAccessible(page, name) {
  const problems = await axeProblems(page);
  const serious = problems.filter((p) => p.impact === 'serious' || p.impact === 'critical');
  await page.screenshot({ path: screenshotPath(`portal-${name}`), fullPage: true });
  assert.deepEqual(serious, [], `${name}: axe found serious problems`);
}

/** RFC 6238 (SHA-1, 6 digits, 30 s) from a base32 secret: the code `offset` steps from now. */
function totp(secret, offset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + offset));
  const h = createHmac('sha1', key).update(counter).digest();
  const at = h[19] & 0x0f;
  return String((h.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('the portal pages', { timeout: 180_000 }, () => {
  let portal;
  let browser;
  let teacherPassword;
  const launchUrls = {};

  before(async () => {
    portal = await startPortal();
    browser = await launchBrowser();
    teacherPassword = 'correct horse battery';
    portal.cli(['user', 'password', '--user', 'demo-teacher'], `${teacherPassword}\n`);
    // A kiosk and a child's badge sign-in, as the kiosk would do it.
    const enrolled = await fetch(`${portal.url}/api/v1/kiosks/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: portal.enrollmentCode(), name: 'UI test kiosk' }),
    }).then((r) => r.json());
    assert.ok(enrolled.device_credential, 'the kiosk enrolled');
    // Maya (demo-student-1) reads Spanish, Leo (demo-student-2) English.
    for (const [lang, user] of [['es', 'demo-student-1'], ['en', 'demo-student-2']]) {
      const badge = portal.cli(['badge', 'issue', '--user', user]);
      const signIn = await fetch(`${portal.url}/api/v1/sign-ins/badge`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${enrolled.device_credential}`,
        },
        body: JSON.stringify({ badge }),
      }).then((r) => r.json());
      launchUrls[lang] = signIn.launch_url;
      assert.ok(launchUrls[lang], `a launch URL for ${user}`);
    }
  });

  after(async () => {
    await browser?.close();
    portal?.stop();
  });

  for (const locale of ['en-US', 'es-ES']) {
    const lang = locale.slice(0, 2);
    test(`${lang}: the sign-in page`, async () => {
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      await page.goto(`${portal.url}/login`);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await assertAccessible(page, `${lang}-login`);
      // A wrong password: the answer is announced and the form is still there.
      await page.fill('input[name=username]', 'teacher');
      await page.fill('input[name=password]', 'not it');
      await page.press('input[name=password]', 'Enter');
      await page.waitForLoadState();
      await assertAccessible(page, `${lang}-login-wrong`);
      await context.close();
    });
  }

  for (const lang of ['es', 'en']) {
    test(`${lang}: a child's dashboard, and the teacher pages refused to the child`, async () => {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(launchUrls[lang]);
      assert.equal(new URL(page.url()).pathname, '/');
      assert.equal(await page.getAttribute('html', 'lang'), lang, "the child's own language");
      await assertAccessible(page, `${lang}-dashboard`);
      const answer = await page.goto(`${portal.url}/teach`);
      assert.equal(answer.status(), 403);
      await assertAccessible(page, `${lang}-teach-refused`);
      await context.close();
    });
  }

  test('a teacher signs in, prints, voids and makes an enrollment code by keyboard alone', async () => {
    const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${portal.url}/login`);
    await page.focus('input[name=username]');
    await page.keyboard.type('teacher');
    await page.keyboard.press('Tab');
    await page.keyboard.type(teacherPassword);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${portal.url}/`);
    await assertAccessible(page, 'teacher-dashboard');

    await page.goto(`${portal.url}/teach`);
    await assertAccessible(page, 'teach');
    await page.goto(`${portal.url}/teach/classes/demo-k1`);
    await assertAccessible(page, 'class');

    // The class set of labels, by keyboard: focus the print form's button and press Enter.
    const sheetButton = page.locator('form[action$="/sheet"] button').first();
    await sheetButton.focus();
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const pdf = readFileSync(await download.path());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');

    // Void one child's badge: the confirm page, then its button.
    await page.goto(`${portal.url}/teach/classes/demo-k1/students/demo-student-1/void`);
    await assertAccessible(page, 'void-confirm');
    await page.locator('form[action$="/void"] button').first().focus();
    await Promise.all([page.waitForURL(/\/teach\/classes\/demo-k1([?#].*)?$/), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('body'), /Maya Garcia\s*No working badge/, 'the voided badge shows');
    await assertAccessible(page, 'class-after-void');

    await page.goto(`${portal.url}/teach/kiosks`);
    await assertAccessible(page, 'kiosks');
    await page.locator('form[action$="/kiosks/code"] button').first().focus();
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    const text = await page.textContent('body');
    assert.match(text, /[A-Z0-9]{5}-[A-Z0-9]{5}/, 'the new enrollment code is shown');
    await assertAccessible(page, 'kiosk-code');
    await context.close();
  });
  for (const locale of ['en-US', 'es-ES']) {
    const lang = locale.slice(0, 2);
    test(`${lang}: the claim page, and a wrong date mask announced with the answers kept`, async () => {
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      await page.goto(`${portal.url}/claim`);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await assertAccessible(page, `${lang}-claim`);
      await page.fill('input[name=first_name]', 'Nobody');
      await page.fill('input[name=last_name]', 'Here');
      await page.fill('input[name=birth_date]', '2013-01-05');
      await page.fill('input[name=number]', '1');
      await page.fill('input[name=password]', 'purple otter dances');
      await page.fill('input[name=password_again]', 'purple otter dances');
      await Promise.all([page.waitForNavigation(), page.press('input[name=password_again]', 'Enter')]);
      assert.match(await page.textContent('[role=alert]'), /MM\/DD\/(YYYY|AAAA), (for example|por ejemplo) 01\/05\/2012/);
      assert.equal(await page.getAttribute('input[name=birth_date]', 'aria-invalid'), 'true');
      assert.equal(await page.inputValue('input[name=first_name]'), 'Nobody', 'the answers are kept');
      assert.equal(await page.inputValue('input[name=password]'), '', 'never the password');
      await assertAccessible(page, `${lang}-claim-wrong-date`);
      await context.close();
    });
  }

  test("a seventh grader claims her account by keyboard alone and is signed in", async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${portal.url}/login`);
    // From the sign-in page: the claim link, by keyboard.
    await page.locator('a[href="/claim"]').focus();
    await Promise.all([page.waitForURL(`${portal.url}/claim`), page.keyboard.press('Enter')]);
    await page.focus('input[name=first_name]');
    // As a child types it: no accents, no apostrophe, the date without its zeros, the number
    // with a space.
    for (const text of ['ana maria', 'OBrien Nunez', '1/5/2013', '70 001', 'my purple otter', 'my purple otter']) {
      await page.keyboard.type(text);
      await page.keyboard.press('Tab');
    }
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('[role=alert]'), /Type the date as MM\/DD\/YYYY, for example 01\/05\/2012/);
    // The date again, then the two passwords (never sent back), by keyboard.
    await page.focus('input[name=birth_date]');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('01/05/2013');
    await page.focus('input[name=password]');
    await page.keyboard.type('my purple otter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('my purple otter');
    await Promise.all([page.waitForURL(`${portal.url}/`), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('h1'), /Ana María/);
    await assertAccessible(page, 'claimed-dashboard');
    await context.close();
  });

  for (const locale of ['en-US', 'es-ES']) {
    const lang = locale.slice(0, 2);
    test(`${lang}: the parent's claim page, and a wrong date mask announced with the answers kept`, async () => {
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      await page.goto(`${portal.url}/claim/parent`);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await assertAccessible(page, `${lang}-claim-parent`);
      await page.fill('input[name=account]', 'nobody@example.org');
      await page.fill('input[name=child_number]', '1');
      await page.fill('input[name=child_birth_date]', '2013-01-05');
      await page.fill('input[name=password]', 'purple otter dances');
      await page.fill('input[name=password_again]', 'purple otter dances');
      await Promise.all([page.waitForNavigation(), page.press('input[name=password_again]', 'Enter')]);
      assert.match(await page.textContent('[role=alert]'), /MM\/DD\/(YYYY|AAAA), (for example|por ejemplo) 01\/05\/2012/);
      assert.equal(await page.getAttribute('input[name=child_birth_date]', 'aria-invalid'), 'true');
      assert.equal(await page.inputValue('input[name=account]'), 'nobody@example.org', 'the answers are kept');
      assert.equal(await page.inputValue('input[name=password]'), '', 'never the password');
      await assertAccessible(page, `${lang}-claim-parent-wrong-date`);
      await context.close();
    });
  }

  test('a parent claims her account and stops her child\'s lost badge by keyboard alone', async () => {
    // Ana María (the demo's seventh grader) gets a badge, her school giving them up to grade 8;
    // her mother Rosa is in the roster.
    portal.cli(['school', 'policy', '--school', 'demo-middle', '--badge-grades', 'PK-8']);
    portal.cli(['badge', 'issue', '--user', 'demo-claim-1']);
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${portal.url}/login`);
    await page.locator('a[href="/claim/parent"]').focus();
    await Promise.all([page.waitForURL(`${portal.url}/claim/parent`), page.keyboard.press('Enter')]);
    await page.focus('input[name=account]');
    for (const text of ['Rosa.Nunez@example.org', '70 001', '01/05/2013', 'our purple otter', 'our purple otter']) {
      await page.keyboard.type(text);
      await page.keyboard.press('Tab');
    }
    await Promise.all([page.waitForURL(`${portal.url}/family`), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('h1'), /My children/);
    const main = await page.textContent('main');
    assert.match(main, /Ana María O'Brien-Núñez/);
    assert.match(main, /Grade 7 Homeroom/);
    assert.match(main, /Badge works/);
    assert.doesNotMatch(main, /70001|2013/, 'nothing else about the child');
    await assertAccessible(page, 'family');
    // The button says whose badge it stops (its description names the child).
    const button = page.locator('form[action$="/badge-lost"] button');
    const described = (await button.getAttribute('aria-describedby')).split(' ');
    assert.match(await page.textContent(`#${described[0]}`), /Ana María/);
    await button.focus();
    await Promise.all([page.waitForURL(/\/family\?lost=/), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('[role=status]'), /Ana María's badge no longer works/);
    assert.match(await page.textContent('main'), /No working badge/);
    assert.equal(await page.locator('form[action$="/badge-lost"]').count(), 0);
    await assertAccessible(page, 'family-badge-stopped');
    await context.close();
  });

  test('an administrator adds an app and sees its secret once, by keyboard alone', async () => {
    // An administrator of a school of their own, from a one-person roster (the demo has none).
    const dir = mkdtempSync(join(tmpdir(), 'badgein-ui-roster-'));
    writeFileSync(
      join(dir, 'orgs.csv'),
      'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n' +
        'ui-sch,active,,UI School,school,UI,\n',
    );
    writeFileSync(
      join(dir, 'users.csv'),
      'sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n' +
        'ui-a1,active,,true,ui-sch,administrator,principal,,Pat,Lee,,,,,,,,\n',
    );
    writeFileSync(
      join(dir, 'classes.csv'),
      'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n',
    );
    writeFileSync(
      join(dir, 'enrollments.csv'),
      'sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate,status,dateLastModified\n',
    );
    portal.cli(['roster', 'import', dir]);
    rmSync(dir, { recursive: true, force: true });
    portal.cli(['user', 'password', '--user', 'ui-a1'], `${teacherPassword}\n`);

    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${portal.url}/login`);
    await page.fill('input[name=username]', 'principal');
    await page.fill('input[name=password]', teacherPassword);
    await Promise.all([page.waitForURL(`${portal.url}/`), page.press('input[name=password]', 'Enter')]);
    await page.click('a[href="/teach/apps"]');
    await page.waitForURL(`${portal.url}/teach/apps`);
    await assertAccessible(page, 'apps');

    // A refused registration comes back with the reason and what was typed.
    await page.focus('input[name=name]');
    await page.keyboard.type('Reading');
    await page.keyboard.press('Tab');
    await page.keyboard.type('https://reading.example/');
    await page.focus('textarea[name=redirect_uris]');
    await page.keyboard.type('https://reading.example/cb#no');
    await page.locator('form[action="/teach/apps"] button[type=submit]').focus();
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('[role=alert]'), /fragment/);
    assert.equal(await page.inputValue('input[name=name]'), 'Reading', 'what was typed is kept');
    await assertAccessible(page, 'apps-refused');

    await page.fill('textarea[name=redirect_uris]', 'https://reading.example/cb');
    await page.locator('form[action="/teach/apps"] button[type=submit]').focus();
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('body'), /[0-9a-f]{64}/, 'the secret is shown');
    await assertAccessible(page, 'app-secret');

    await page.goto(`${portal.url}/teach/apps`);
    const list = await page.textContent('main');
    assert.match(list, /Reading/);
    assert.doesNotMatch(list, /[0-9a-f]{64}/, 'the secret only once');
    await assertAccessible(page, 'apps-list');

    // The staff page, reached from the dashboard by keyboard.
    await page.goto(`${portal.url}/`);
    await page.focus('a[href="/teach/staff"]');
    await Promise.all([page.waitForURL(`${portal.url}/teach/staff`), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('main'), /principal/);
    await assertAccessible(page, 'staff');
    await context.close();
  });
  test('an administrator names a delegate, who resets a child\'s password, by keyboard alone', async () => {
    // A school of its own: a principal, a class with its teacher and a grade-4 child, and Dana,
    // a teacher of another room, to be the delegate.
    const dir = mkdtempSync(join(tmpdir(), 'badgein-ui-delegates-'));
    writeFileSync(
      join(dir, 'orgs.csv'),
      'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n' +
        'dl-sch,active,,Delegate School,school,DL,\n',
    );
    writeFileSync(
      join(dir, 'users.csv'),
      'sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n' +
        'dl-a1,active,,true,dl-sch,administrator,dl.principal,,Rita,Moreno,,,,,,,,\n' +
        'dl-t1,active,,true,dl-sch,teacher,dl.teacher,,Tom,Baker,,,,,,,,\n' +
        'dl-d1,active,,true,dl-sch,teacher,dl.dana,,Dana,Scully,,,,,,,,\n' +
        'dl-s1,active,,true,dl-sch,student,dl.zoe,,Zoe,Park,,,,,,,04,\n',
    );
    writeFileSync(
      join(dir, 'classes.csv'),
      'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n' +
        'dl-c1,active,,Room 4,04,,,,,dl-sch,,,,\n',
    );
    writeFileSync(
      join(dir, 'enrollments.csv'),
      'sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate,status,dateLastModified\n' +
        'dl-e1,dl-c1,dl-sch,dl-t1,teacher,true,,,active,\n' +
        'dl-e2,dl-c1,dl-sch,dl-s1,student,false,,,active,\n',
    );
    portal.cli(['roster', 'import', dir]);
    rmSync(dir, { recursive: true, force: true });
    for (const user of ['dl-a1', 'dl-d1', 'dl-s1']) {
      portal.cli(['user', 'password', '--user', user], `${teacherPassword}\n`);
    }

    const signIn = async (page, username, password) => {
      await page.goto(`${portal.url}/login`);
      await page.focus('input[name=username]');
      await page.keyboard.type(username);
      await page.keyboard.press('Tab');
      await page.keyboard.type(password);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    };

    // The principal's school page: a bad range is refused with what was typed kept, then
    // Dana is named a delegate for passwords.
    const admin = await browser.newContext({ locale: 'en-US' });
    let page = await admin.newPage();
    await signIn(page, 'dl.principal', teacherPassword);
    await page.goto(`${portal.url}/teach/school`);
    await assertAccessible(page, 'school');
    await page.fill('input[name=badge_grades]', '');
    await page.focus('input[name=badge_grades]');
    await page.keyboard.type('K-PK');
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    assert.match(await page.textContent('[role=alert]'), /Nothing was changed/);
    assert.equal(await page.inputValue('input[name=badge_grades]'), 'K-PK', 'what was typed is kept');
    await assertAccessible(page, 'school-refused');
    await page.focus('select[name=user]');
    await page.selectOption('select[name=user]', 'dl-d1');
    await page.focus('input[name=passwords]');
    await page.keyboard.press('Space');
    await page.locator('form[action="/teach/school/delegates"] button[type=submit]').focus();
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('main'), /Dana Scully/);
    await assertAccessible(page, 'school-delegate');
    await admin.close();

    // Dana reaches Room 4 (not her class) and resets Zoe's password.
    const delegate = await browser.newContext({ locale: 'en-US' });
    page = await delegate.newPage();
    await signIn(page, 'dl.dana', teacherPassword);
    await page.goto(`${portal.url}/teach/classes/dl-c1`);
    await assertAccessible(page, 'delegate-class');
    assert.equal(await page.locator('form[action$="/reprint"]').count(), 0, 'badges were not delegated');
    await page.locator('form[action$="/password"] button').first().focus();
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    const temporary = (await page.textContent('.code')).trim();
    assert.match(temporary, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    await assertAccessible(page, 'delegate-temporary');
    await delegate.close();

    // Zoe signs in with it and must choose her own before anything else.
    const child = await browser.newContext({ locale: 'en-US' });
    page = await child.newPage();
    await signIn(page, 'dl.zoe', temporary);
    assert.equal(new URL(page.url()).pathname, '/account/password');
    await assertAccessible(page, 'must-change');
    await page.focus('input[name=current]');
    await page.keyboard.type(temporary);
    await page.keyboard.press('Tab');
    await page.keyboard.type('zoe picks her own');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('[role=status]'), /changed/i);
    await child.close();
  });

  // Last: from here on the demo teacher signs in with a code too.
  test('a teacher turns on the second factor and signs in with a code, by keyboard alone', async () => {
    const signInByKeyboard = async (page) => {
      await page.goto(`${portal.url}/login`);
      await page.focus('input[name=username]');
      await page.keyboard.type('teacher');
      await page.keyboard.press('Tab');
      await page.keyboard.type(teacherPassword);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    };
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await signInByKeyboard(page);
    assert.equal(new URL(page.url()).pathname, '/');
    await page.focus('a[href="/account/totp"]');
    await Promise.all([page.waitForURL(`${portal.url}/account/totp`), page.keyboard.press('Enter')]);
    await assertAccessible(page, 'totp-setup');
    assert.equal(await page.locator('svg.qr[role=img]').count(), 1, 'the QR code, labelled');
    const uri = await page.textContent('code.uri');
    const secret = uri.match(/secret=([A-Z2-7]+)/)[1];
    assert.match(uri, /^otpauth:\/\/totp\/BadgeIn:teacher\?/);

    // A 5-digit code: the answer says what a code is, and the secret stays.
    await page.focus('input[name=code]');
    await page.keyboard.type('12345');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('[role=alert]'), /6 digits/);
    await assertAccessible(page, 'totp-setup-refused');
    await page.focus('input[name=code]');
    await page.keyboard.type(totp(secret));
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    const recovery = await page.locator('ol.recovery code').allTextContents();
    assert.equal(recovery.length, 10, 'ten recovery codes, shown once');
    await assertAccessible(page, 'totp-recovery');
    await context.close();

    // A new browser: the password, then the code step (en and es pass axe).
    const es = await browser.newContext({ locale: 'es-ES' });
    const esPage = await es.newPage();
    await signInByKeyboard(esPage);
    assert.equal(await esPage.getAttribute('html', 'lang'), 'es');
    await assertAccessible(esPage, 'es-login-code');
    await es.close();

    const again = await browser.newContext({ locale: 'en-US' });
    const next = await again.newPage();
    await signInByKeyboard(next);
    assert.equal(new URL(next.url()).pathname, '/login');
    await assertAccessible(next, 'login-code');
    await next.focus('input[name=code]');
    await next.keyboard.type('1234567');
    await Promise.all([next.waitForNavigation(), next.keyboard.press('Enter')]);
    assert.match(await next.textContent('[role=alert]'), /6 digits/);
    await assertAccessible(next, 'login-code-refused');
    // The enrollment spent this step's code: the next step's is within the allowed skew.
    await next.focus('input[name=code]');
    await next.keyboard.type(totp(secret, 1));
    await Promise.all([next.waitForURL(`${portal.url}/`), next.keyboard.press('Enter')]);
    const teach = await next.goto(`${portal.url}/teach`);
    assert.equal(teach.status(), 200, 'the teacher pages, after the code');
    await again.close();
  });
});
