// What the UI finds on `window` beyond the DOM: the part of `window.__TAURI__` (Tauri's
// `withGlobalTauri`) that ui/js/ipc.js calls, and older WebKit's prefixed AudioContext. Written
// by hand: it is Tauri's JavaScript API, not ours; what crosses it is typed by ipc.d.ts
// (generated from the Rust types).

interface TauriChannel {
  /** The id the shell knows the channel by (`preview_ready`'s `channel_id`). */
  readonly id: number;
  onmessage: (message: unknown) => void;
}

interface TauriGlobal {
  core: {
    invoke(command: string, args?: unknown): Promise<unknown>;
    Channel: new () => TauriChannel;
  };
  event: {
    listen(event: string, handler: (message: { payload: unknown }) => void): Promise<() => void>;
  };
}

interface Window {
  /** Absent outside the kiosk shell (ipc.js says so rather than failing somewhere else). */
  __TAURI__?: TauriGlobal;
  /** WebKitGTK before AudioContext lost its prefix (sound.js). */
  webkitAudioContext?: typeof AudioContext;
}
