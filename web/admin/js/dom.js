// Building the page without ever parsing data as HTML: every piece of text goes through
// textContent (document.createTextNode), attributes through setAttribute.

/** h('button', {class: 'primary', onclick: fn}, 'Save', child, ...) -> an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let seq = 0;
/** A unique id for label/control pairs. */
export function uid(prefix = 'f') {
  seq += 1;
  return `${prefix}-${seq}`;
}

/** A labelled form field: {label, control, note, id}. The control gets the id. */
export function field(label, control, note, required = false) {
  const id = control.id || uid();
  control.id = id;
  const noteEl = note ? h('p', {class: 'note', id: `${id}-note`}, note) : null;
  if (noteEl) control.setAttribute('aria-describedby', noteEl.id);
  if (required) control.required = true;
  return h('div', {class: 'field' + (required ? ' required' : '')},
    h('label', {for: id}, label), control, noteEl);
}

/** Substitutes Magento's placeholders (%1, %name) of an error body with its parameters. */
export function errorText(body) {
  if (!body || typeof body.message !== 'string') return 'The request failed.';
  let text = body.message;
  const p = body.parameters;
  if (Array.isArray(p)) {
    p.forEach((v, i) => { text = text.split(`%${i + 1}`).join(String(v)); });
  } else if (p && typeof p === 'object') {
    for (const [k, v] of Object.entries(p)) text = text.split(`%${k}`).join(String(v));
  }
  if (Array.isArray(body.errors) && body.errors.length) {
    text += ' ' + body.errors.map((e) => errorText(e)).join(' ');
  }
  return text;
}

/** A modal <dialog>: keyboard users get focus inside it and Escape to close. */
export function dialog(title, body, buttons, {closable = true, className = ''} = {}) {
  const titleId = uid('dlg');
  const dlg = h('dialog', {class: `modal ${className}`, 'aria-labelledby': titleId});
  const close = closable
    ? h('button', {type: 'button', class: 'close', 'aria-label': 'Close', onclick: () => dlg.close()}, '×')
    : null;
  replace(dlg,
    h('header', {}, h('h2', {id: titleId}, title), close),
    h('div', {class: 'modal-body'}, body),
    buttons && buttons.length ? h('footer', {}, buttons) : null);
  if (!closable) dlg.addEventListener('cancel', (e) => e.preventDefault());
  dlg.addEventListener('close', () => dlg.remove());
  document.body.appendChild(dlg);
  dlg.showModal();
  return dlg;
}

/** "Are you sure?" with OK / Cancel; resolves to true for OK. */
export function confirmDialog(title, text) {
  return new Promise((resolve) => {
    let answer = false;
    const dlg = dialog(title, h('p', {}, text), [
      h('button', {type: 'button', class: 'secondary', onclick: () => dlg.close()}, 'Cancel'),
      h('button', {type: 'button', class: 'primary', onclick: () => { answer = true; dlg.close(); }}, 'OK'),
    ]);
    dlg.addEventListener('close', () => resolve(answer));
  });
}
