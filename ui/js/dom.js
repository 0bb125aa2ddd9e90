// Builds elements from data without ever parsing it as HTML: text goes in as text nodes,
// attributes through setAttribute, listeners through addEventListener.

/**
 * h('button', { class: 'big', type: 'button', onclick: fn }, 'text', child)
 * `text` sets textContent; `on<event>` adds a listener; `true` sets an empty attribute;
 * `false`, `null` and `undefined` leave the attribute out.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = value;
    else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

/** A catalog picture; decorative because the sentence next to it says the same. */
export function picture(url, className = 'picture') {
  return h('img', { class: className, src: url, alt: '', draggable: 'false' });
}

/** Puts keyboard focus on the screen's first shown `[data-autofocus]`, else its heading. */
export function focusFirst(root) {
  const shown = [...root.querySelectorAll('[data-autofocus]')].find(
    (el) => el.getClientRects().length > 0,
  );
  const target = shown ?? root.querySelector('h1');
  if (target) target.focus({ preventScroll: true });
}
