// Screen-reader announcements through the two live regions of index.html. Writing the same
// sentence twice would not be re-read, so the region is emptied first and filled on the next
// frame.

let pending = 0;

export function announce(text, { urgent = false } = {}) {
  const polite = document.getElementById('live-polite');
  const assertive = document.getElementById('live-assertive');
  if (!polite || !assertive) return;
  const target = urgent ? assertive : polite;
  const other = urgent ? polite : assertive;
  other.replaceChildren();
  target.replaceChildren();
  const ticket = ++pending;
  requestAnimationFrame(() => {
    if (ticket !== pending) return;
    // A new element, not new text in the region: WebKitGTK tells AT-SPI (and so Orca) of an
    // element added to a live region, and says nothing when only its text changes
    // (tests/e2e/accessibility.test.mjs listens).
    const sentence = document.createElement('p');
    sentence.textContent = text;
    target.replaceChildren(sentence);
  });
}
