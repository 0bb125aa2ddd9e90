// The setup screen's sentence about the setup QR: while setup shows, the camera looks for the
// QR that the portal's enrollment code page draws (the preview above shows what it sees), and
// the outcome comes back as the view's `message` (setup_qr_found, setup_qr_refused, enrolled).
import { h } from './dom.js';
import { t } from './i18n.js';

export function setupQrHint() {
  return h('p', { class: 'setup-hint', id: 'setup-qr-hint', text: t('setup.qr_hint') });
}
