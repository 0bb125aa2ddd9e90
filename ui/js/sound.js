// Short tones synthesised with WebAudio, so no audio files ship and nothing is fetched.
// Each tone: [frequency Hz, start s, length s].
const TONES = Object.freeze({
  chime: [
    [659.25, 0, 0.18],
    [880, 0.14, 0.32],
  ],
  fail: [
    [392, 0, 0.25],
    [311.13, 0.22, 0.38],
  ],
  blip: [[740, 0, 0.09]],
});

/** @typedef {keyof typeof TONES} Sound */

export const SOUNDS = /** @type {ReadonlyArray<Sound>} */ (Object.freeze(Object.keys(TONES)));

let enabled = true;
let context = null;
// Tones scheduled and not yet ended: the context is suspended when none are left.
let playing = 0;

export function setSoundsEnabled(on) {
  enabled = Boolean(on);
}

export function soundsEnabled() {
  return enabled;
}

/** @param {Sound} name */
export function play(name) {
  if (!enabled || !Object.hasOwn(TONES, name)) return;
  const Context = window.AudioContext ?? window.webkitAudioContext;
  if (!Context) return;
  try {
    context ??= new Context();
    if (context.state === 'suspended') context.resume().catch(() => {});
    const now = context.currentTime;
    for (const [frequency, start, length] of TONES[name]) {
      const osc = context.createOscillator();
      const gain = context.createGain();
      osc.type = 'sine';
      osc.frequency.value = frequency;
      // A soft attack and decay: a click-free, gentle tone for small ears.
      gain.gain.setValueAtTime(0.0001, now + start);
      gain.gain.exponentialRampToValueAtTime(0.25, now + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + start + length);
      osc.connect(gain).connect(context.destination);
      playing += 1;
      osc.onended = ended;
      osc.start(now + start);
      osc.stop(now + start + length + 0.02);
    }
  } catch {
    // No audio device: the picture and the sentence still say it.
  }
}

// A running context keeps WebKit's audio thread rendering silence for as long as the page
// lives: after the first child, 1.5 % of a core all day on an idle kiosk
// (docs/kiosk-performance.md). Suspended between tones, it costs nothing; `play` resumes it.
function ended() {
  playing -= 1;
  if (playing === 0 && context?.state === 'running') context.suspend().catch(() => {});
}
