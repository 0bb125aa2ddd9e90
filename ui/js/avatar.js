// The child's picture from the portal, or a neutral figure. Only http(s) addresses are used:
// anything else (javascript:, data:, file:) falls back to the figure.
import { SCREEN_PICTURES, pictureUrl } from './catalog.js';
import { picture } from './dom.js';

function safeUrl(url) {
  if (typeof url !== 'string' || url.length > 2048) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** @typedef {import('../types/ipc').UserView} UserView */

/**
 * The child's picture, or the figure.
 * @param {UserView} user
 * @param {string} className
 */
export function avatar(user, className) {
  const img = picture(safeUrl(user?.avatar_url) ?? pictureUrl(SCREEN_PICTURES.avatar), className);
  img.referrerPolicy = 'no-referrer';
  // A broken portal picture becomes the figure instead of a torn-image icon.
  img.addEventListener('error', () => {
    if (!img.src.endsWith(pictureUrl(SCREEN_PICTURES.avatar))) {
      img.src = pictureUrl(SCREEN_PICTURES.avatar);
    }
  });
  return img;
}

/** @param {UserView} user */
export function firstName(user) {
  return typeof user?.first_name === 'string' ? user.first_name.slice(0, 64) : '';
}
