// The only module that talks to the Rust shell (docs/kiosk-ipc.md): `window.__TAURI__` comes
// from Tauri's `withGlobalTauri`. Everything else imports these four functions.

function tauri() {
  const api = window.__TAURI__;
  if (!api || !api.core || !api.event) {
    throw new Error('window.__TAURI__ is missing: the UI must run inside the kiosk shell');
  }
  return api;
}

/** Calls a command; rejects with the shell's `{code, message}` error. */
export function invoke(command, args) {
  try {
    return Promise.resolve(tauri().core.invoke(command, args));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A Tauri channel whose messages go to `onMessage`. */
export function channel(onMessage) {
  const ch = new (tauri().core.Channel)();
  ch.onmessage = onMessage;
  return ch;
}

/** Subscribes to an event; `onPayload` gets the payload only. */
export function listen(event, onPayload) {
  return tauri().event.listen(event, (message) => onPayload(message.payload));
}
