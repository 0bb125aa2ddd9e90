// Entry point: renders whatever view Rust sends (docs/kiosk-ipc.md). The UI never decides
// what happens next; it shows the view and calls commands.
import { focusFirst } from './dom.js';
import { codeMessage, signal } from './feedback.js';
import { setLanguage } from './i18n.js';
import { invoke, listen } from './ipc.js';
import { codeOf } from './catalog.js';
import { setSoundsEnabled } from './sound.js';
import * as setup from './screens/setup.js';
import * as setupSwitch from './screens/setup-switch.js';
import * as teacherPin from './screens/teacher-pin.js';
import * as choosePin from './screens/choose-pin.js';
import * as scanning from './screens/scanning.js';
import * as signingIn from './screens/signing-in.js';
import * as greeting from './screens/greeting.js';
import * as signedIn from './screens/signed-in.js';
import * as signingOut from './screens/signing-out.js';
import * as result from './screens/result.js';
import * as typed from './screens/typed.js';
import * as cameraTrouble from './screens/camera-trouble.js';

/** @typedef {import('../types/ipc').View} View */
/** @template {View['screen']} S @typedef {import('../types/ui').ScreenModule<S>} ScreenModule */

/**
 * One module per `screen` of the Rust `View`: a screen missing here, or a module whose `mount`
 * takes another screen's view, or a screen Rust does not have, fails `tsc`.
 */
const SCREENS = Object.freeze(
  /** @satisfies {{ [S in View['screen']]: ScreenModule<S> }} */ ({
    setup,
    setup_switch: setupSwitch,
    teacher_pin: teacherPin,
    choose_pin: choosePin,
    scanning,
    signing_in: signingIn,
    greeting,
    signed_in: signedIn,
    signing_out: signingOut,
    result,
    typed,
    camera_trouble: cameraTrouble,
  }),
);

// Both are in index.html.
const root = /** @type {HTMLElement} */ (document.getElementById('screen'));
const errorBanner = /** @type {HTMLElement} */ (document.getElementById('command-error'));
/**
 * The screen shown, its language and its module's instance.
 * @type {{
 *   screen: View['screen'],
 *   language: View['language'],
 *   instance: import('../types/ui').MountedScreen<View['screen']>,
 * } | null}
 */
let current = null;

/**
 * A command the shell refused: its code shown, heard and announced.
 * @param {unknown} error
 */
function onCommandError(error) {
  const code = codeOf(error);
  errorBanner.replaceChildren(codeMessage(code));
  errorBanner.hidden = false;
  signal(code);
}

const ctx = Object.freeze({ onError: onCommandError, setSounds: setSoundsEnabled });

/** @param {View} view */
function render(view) {
  if (!view || typeof view !== 'object' || !Object.hasOwn(SCREENS, view.screen)) return;
  setLanguage(view.language);
  if (current && current.screen === view.screen && current.language === view.language) {
    current.instance.update(view);
    return;
  }
  current?.instance.unmount();
  errorBanner.hidden = true;
  errorBanner.replaceChildren();
  root.replaceChildren();
  document.body.dataset.screen = view.screen;
  // SCREENS pairs each screen with its module; TypeScript cannot follow that pairing through
  // `view.screen`, so the lookup is widened to "a module for this view".
  const module = /** @type {ScreenModule<View['screen']>} */ (SCREENS[view.screen]);
  const instance = module.mount(root, view, ctx);
  current = { screen: view.screen, language: view.language, instance };
  focusFirst(root);
}

/** Ctrl+Alt+Shift+T: the teacher's way in, on every screen. */
function onKeyDown(event) {
  const isT = event.code === 'KeyT' || event.key?.toLowerCase() === 't';
  if (event.ctrlKey && event.altKey && event.shiftKey && isT) {
    event.preventDefault();
    event.stopImmediatePropagation();
    invoke('open_teacher').catch(onCommandError);
  }
}

async function start() {
  document.addEventListener('keydown', onKeyDown, { capture: true });
  let sawEvent = false;
  await listen('view', (view) => {
    sawEvent = true;
    render(view);
  });
  // Sounds default to on; the teacher's choice comes with the setup.
  invoke('get_setup')
    .then((s) => {
      if (s && typeof s.sounds === 'boolean') setSoundsEnabled(s.sounds);
    })
    .catch(() => {});
  const view = await invoke('get_view');
  if (!sawEvent) render(view);
}

start().catch(onCommandError);
