// The only module that talks to the Rust shell (docs/kiosk-ipc.md): `window.__TAURI__` comes
// from Tauri's `withGlobalTauri`. Everything else imports these four functions. Their types
// come from ui/types/ipc.d.ts, generated from the Rust types: `tsc` (scripts/test-ui) checks
// every command name, its arguments and what the caller does with the answer.

/** @typedef {import('../types/ipc').Commands} Commands */
/** @typedef {import('../types/ipc').Events} Events */

function tauri() {
  const api = window.__TAURI__;
  if (!api || !api.core || !api.event) {
    throw new Error('window.__TAURI__ is missing: the UI must run inside the kiosk shell');
  }
  return api;
}

/**
 * Calls a command with the arguments its Rust side takes (none when `args` is `null` in
 * `Commands`); resolves to its answer, rejects with the shell's `{code, message}` error.
 * @template {keyof Commands} C
 * @param {C} command
 * @param {Commands[C]['args'] extends null ? [] : [Commands[C]['args']]} args
 * @returns {Promise<Commands[C]['answer']>}
 */
export function invoke(command, ...args) {
  try {
    const answer = tauri().core.invoke(command, ...args);
    return /** @type {Promise<Commands[C]['answer']>} */ (Promise.resolve(answer));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A Tauri channel whose messages go to `onMessage`.
 * @param {(message: unknown) => void} onMessage
 */
export function channel(onMessage) {
  const ch = new (tauri().core.Channel)();
  ch.onmessage = onMessage;
  return ch;
}

/**
 * Subscribes to an event; `onPayload` gets the payload only, of the type Rust emits.
 * @template {keyof Events} E
 * @param {E} event
 * @param {(payload: Events[E]) => void} onPayload
 */
export function listen(event, onPayload) {
  return tauri().event.listen(event, (message) =>
    onPayload(/** @type {Events[E]} */ (message.payload)),
  );
}
