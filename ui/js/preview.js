// The live camera preview: Rust sends one JPEG at a time over a channel; each is drawn
// mirrored (children expect a mirror) and acknowledged with `preview_ready`, which lets Rust
// send the next. Frames are never kept.
import { channel, invoke } from './ipc.js';

// Performance marks (the latest of each only) for scripts/bench-kiosk's cold-start numbers.
const MARK_STARTED = 'badgein:preview-started';
const MARK_FIRST_FRAME = 'badgein:preview-first-frame';

function mark(name) {
  performance.clearMarks(name);
  performance.mark(name);
}

function bytesOf(message) {
  if (message instanceof ArrayBuffer) return new Uint8Array(message);
  if (ArrayBuffer.isView(message)) return message;
  if (Array.isArray(message)) return Uint8Array.from(message);
  return null;
}

function drawMirrored(canvas, ctx, bitmap) {
  if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
  }
  ctx.setTransform(-1, 0, 0, 1, canvas.width, 0);
  ctx.drawImage(bitmap, 0, 0);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
}

/**
 * Starts the preview into `canvas`; the returned function stops it.
 * @param {HTMLCanvasElement} canvas
 */
export function startPreview(canvas) {
  let stopped = false;
  let drawn = false;
  let ch = null;
  // A canvas in memory, not on the GPU (willReadFrequently says so): a 640x360 picture a few
  // times a second is cheap for the CPU, while the GPU path costs WebKit about 200 ms of CPU a
  // frame where there is no GPU and Mesa draws in software (measured with scripts/bench-kiosk).
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  mark(MARK_STARTED);
  const onFrame = async (message) => {
    if (stopped) return;
    const bytes = bytesOf(message);
    if (bytes) {
      try {
        // A channel's message is never backed by a SharedArrayBuffer (what the DOM types fear).
        const jpeg = new Blob([/** @type {BlobPart} */ (bytes)], { type: 'image/jpeg' });
        const bitmap = await createImageBitmap(jpeg);
        if (!stopped) drawMirrored(canvas, ctx, bitmap);
        bitmap.close();
        if (!drawn) mark(MARK_FIRST_FRAME);
        drawn = true;
      } catch {
        // An undecodable frame is skipped; acknowledging it keeps the stream going.
      }
    }
    // The ack names its channel: a late ack from a screen that has gone must not free a
    // second frame for the channel that replaced it.
    if (!stopped) invoke('preview_ready', { channel_id: ch.id }).catch(() => {});
  };
  ch = channel(onFrame);
  invoke('preview', { channel: ch }).catch(() => {});
  return () => {
    stopped = true;
  };
}
