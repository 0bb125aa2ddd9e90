// A Code shown the way every outcome is shown: picture + sentence in the page, a sound, the
// sentence spoken and announced to screen readers.
import { announce } from './announce.js';
import { CODES, knownCode, pictureUrl } from './catalog.js';
import { h, picture } from './dom.js';
import { language, t } from './i18n.js';
import { play } from './sound.js';
import { speak } from './voice.js';

/**
 * The picture and sentence of a code, as an element (an unknown code shows `unknown`).
 * `sentence`: a more precise sentence than the code's own (a lock's end, say).
 * @param {unknown} code
 * @param {string} [extraClass]
 * @param {string} [sentence]
 */
export function codeMessage(code, extraClass = '', sentence = undefined) {
  const known = knownCode(code);
  return h(
    'div',
    { class: `message message-${CODES[known].sound} ${extraClass}`.trim(), 'data-code': known },
    picture(pictureUrl(CODES[known].picture), 'picture picture-message'),
    h('p', { class: 'message-text', text: sentence ?? t(`code.${known}`) }),
  );
}

/**
 * Sound, voice and announcement of a code (or of `sentence`, said instead of the code's own).
 * @param {unknown} code
 * @param {string} [sentence]
 */
export function signal(code, sentence = undefined) {
  const known = knownCode(code);
  sentence ??= t(`code.${known}`);
  play(CODES[known].sound);
  speak(sentence, language());
  announce(sentence, { urgent: CODES[known].sound === 'fail' });
}
