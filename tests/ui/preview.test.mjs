// The live preview: JPEG frames arrive over the `preview` channel, each is drawn mirrored on
// the canvas and acknowledged with exactly one `preview_ready`; a bad frame is skipped but
// still acknowledged; a screen that has gone stops acknowledging.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  calls,
  launchBrowser,
  openKiosk,
  pushView,
  screenshotPath,
  startServer,
  waitForCall,
} from './harness.mjs';

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

/** Makes a 640x360 JPEG, `left` colour on the left half, `right` on the right, and sends it
 * over the newest channel, as Rust would (an ArrayBuffer). */
function sendFrame(page, left, right) {
  return page.evaluate(
    async ([l, r]) => {
      const c = new OffscreenCanvas(640, 360);
      const g = c.getContext('2d');
      g.fillStyle = l;
      g.fillRect(0, 0, 320, 360);
      g.fillStyle = r;
      g.fillRect(320, 0, 320, 360);
      const jpeg = await (await c.convertToBlob({ type: 'image/jpeg', quality: 0.95 })).arrayBuffer();
      window.__mock.channels.at(-1).onmessage(jpeg);
    },
    [left, right],
  );
}

/** [r, g, b] at (x, y) of the preview canvas. */
function pixel(page, x, y) {
  return page.$eval(
    '.preview-canvas',
    (c, [px, py]) => [...c.getContext('2d').getImageData(px, py, 1, 1).data.slice(0, 3)],
    [x, y],
  );
}

const acks = async (page) => (await calls(page)).filter((c) => c.cmd === 'preview_ready').length;
const isRed = ([r, g, b]) => r > 200 && g < 60 && b < 60;
const isBlue = ([r, g, b]) => b > 200 && r < 60 && g < 60;

test('frames are drawn mirrored and acknowledged one at a time', async () => {
  const kiosk = await openKiosk(browser, server, {
    screen: 'scanning',
    language: 'en',
    hint: null,
    typed_allowed: false,
  });
  const { page } = kiosk;
  try {
    const { channel } = await waitForCall(page, 'preview');
    assert.match(channel, /^__CHANNEL__:\d+$/, 'preview gets a channel');
    assert.equal(await acks(page), 0, 'nothing acknowledged before a frame');

    await sendFrame(page, '#ff0000', '#0000ff');
    await waitForCall(page, 'preview_ready', 1);
    // Red was on the camera's left, so it is on the screen's right: a mirror.
    assert.ok(isBlue(await pixel(page, 40, 180)), 'left of the screen is the right of the frame');
    assert.ok(isRed(await pixel(page, 600, 180)));
    assert.deepEqual(
      await page.$eval('.preview-canvas', (c) => [c.width, c.height]),
      [640, 360],
    );

    await sendFrame(page, '#0000ff', '#ff0000');
    await waitForCall(page, 'preview_ready', 2);
    assert.ok(isRed(await pixel(page, 40, 180)));
    assert.ok(isBlue(await pixel(page, 600, 180)));
    await page.screenshot({ path: screenshotPath('preview-scanning-with-frame') });

    // Garbage instead of a JPEG: skipped, the last picture stays, the stream goes on.
    await page.evaluate(() => window.__mock.channels.at(-1).onmessage(new Uint8Array([1, 2, 3]).buffer));
    await waitForCall(page, 'preview_ready', 3);
    assert.ok(isRed(await pixel(page, 40, 180)));
    assert.equal(await acks(page), 3, 'exactly one acknowledgement per frame');

    // Leave: the old channel's frames are no longer acknowledged. Back: a new channel.
    await pushView(page, { screen: 'signing_in', language: 'en' });
    await sendFrame(page, '#ff0000', '#0000ff');
    await pushView(page, { screen: 'scanning', language: 'en', hint: null, typed_allowed: false });
    const second = await waitForCall(page, 'preview', 2);
    assert.notEqual(second.channel, channel);
    await sendFrame(page, '#ff0000', '#0000ff');
    await waitForCall(page, 'preview_ready', 4);
    assert.ok(isBlue(await pixel(page, 40, 180)));
    assert.equal(await acks(page), 4, 'the frame sent to the old screen was not acknowledged');
  } finally {
    await kiosk.close();
  }
});

test('the setup screen previews the camera too', async () => {
  const kiosk = await openKiosk(browser, server, {
    screen: 'setup',
    language: 'en',
    enrolled: true,
    message: null,
  });
  const { page } = kiosk;
  try {
    await waitForCall(page, 'preview');
    await sendFrame(page, '#ff0000', '#0000ff');
    await waitForCall(page, 'preview_ready', 1);
    assert.ok(isRed(await pixel(page, 600, 180)));
  } finally {
    await kiosk.close();
  }
});
