// Types of the UI's own modules (hand-written); the IPC types are in ipc.d.ts, generated from
// the Rust types.
import type { View } from './ipc';

/** The view of one screen: `ViewOf<'setup'>` has `enrolled` and `message`. */
export type ViewOf<S extends View['screen']> = Extract<View, { screen: S }>;

/** What main.js gives every screen. */
export interface ScreenContext {
  /** A command the shell refused: shown, heard and announced. */
  onError(error: unknown): void;
  setSounds(on: boolean): void;
}

/** A mounted screen: `update` with each new view of the same screen, `unmount` when it goes. */
export interface MountedScreen<S extends View['screen']> {
  update(view: ViewOf<S>): void;
  unmount(): void;
}

/** A module of ui/js/screens/. */
export interface ScreenModule<S extends View['screen']> {
  mount(root: HTMLElement, view: ViewOf<S>, ctx: ScreenContext): MountedScreen<S>;
}
