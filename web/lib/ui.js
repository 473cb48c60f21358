// ui: small DOM helpers shared by the pages.  No framework: h() builds
// elements, pressable() gives one the keyboard of a button, the rest are a
// toast, a modal form and a data table.
import { t } from './i18n.js';
import { dateTimeInput } from './datetime.js';
import { isoStation } from './station.js';

// h('button', { class: 'btn', onclick: fn }, 'Save') — children may be
// strings, nodes, arrays, null/false (skipped).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'html') el.innerHTML = v;   // only for our own static SVG
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  const add = (c) => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  };
  children.forEach(add);
  return el;
}

// Makes an element that is not a button (a live tile, a table row, a
// criteria cell) do from the keyboard what a click does (issue 17 item 9):
// a Tab stop, and Enter or Space runs fn(event).  role: 'button' for a
// free-standing element; null keeps the element's own (a <tr> or <td> must
// stay a row or a cell, or the table around it stops being one).
// Enter acts on keydown and cancels it: when fn moves the focus (a dialog
// focusing its close button), the browser would otherwise hand the same
// Enter on to the newly focused button as a click — the enlarged live view
// opened and closed at once.  Space acts on keyup, as a button does, and its
// keydown is cancelled so the page does not scroll.  Keys pressed in a
// control inside the element (an input, a button) are theirs.
export function pressable(el, fn, { role = 'button' } = {}) {
  el.tabIndex = 0;
  if (role) el.setAttribute('role', role);
  el.addEventListener('keydown', (e) => {
    if (e.target !== el || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'Enter') { e.preventDefault(); if (!e.repeat) fn(e); }
    else if (e.key === ' ') e.preventDefault();
  });
  el.addEventListener('keyup', (e) => {
    if (e.target === el && e.key === ' ' && !e.altKey && !e.ctrlKey && !e.metaKey) { e.preventDefault(); fn(e); }
  });
  return el;
}

// The keyboard of a modal dialog box (inside its backdrop): Tab and
// Shift+Tab go round the box's controls, not out to the page it covers;
// Escape calls onEscape; the focus starts on `first` (or the box's first
// control).  Both only while the focus is in this box (or nowhere): a
// dialog opened over it (a form from the alert dialog, the re-sign-in) has
// its own.  Returns release(): unhooks, and puts the focus back where it
// was before the dialog opened (the row or cell that opened it), when that
// element is still on the page.
export function modalKeys(box, onEscape, first = null) {
  const before = document.activeElement;
  const stops = () => [...box.querySelectorAll('button:not([disabled]), a[href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex="0"]')]
    .filter((x) => x.offsetParent !== null);
  const onKey = (e) => {
    const a = document.activeElement;
    const inside = box.contains(a);
    if (!inside && a && a !== document.body) return;   // a dialog above this one has it
    if (e.key === 'Escape' && onEscape) { e.preventDefault(); onEscape(); return; }
    if (e.key !== 'Tab') return;
    const s = stops();
    if (!s.length) return;
    if (e.shiftKey && (a === s[0] || !inside)) { e.preventDefault(); s[s.length - 1].focus(); }
    else if (!e.shiftKey && (a === s[s.length - 1] || !inside)) { e.preventDefault(); s[0].focus(); }
  };
  document.addEventListener('keydown', onKey);
  const f = first || stops()[0];
  if (f) f.focus();
  return () => {
    document.removeEventListener('keydown', onKey);
    if (before && before !== document.body && document.body.contains(before) && typeof before.focus === 'function') before.focus();
  };
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

let toastBox = null;
export function toast(message, kind = 'info') {
  if (!toastBox) { toastBox = h('div', { class: 'toasts', role: 'status' }); document.body.append(toastBox); }
  const el = h('div', { class: `toast toast-${kind}` }, message);
  toastBox.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 3500);
}

// Shows an error from the API (or anything) as a toast; returns it.
export function showError(e) {
  toast(e && e.message ? e.message : String(e), 'error');
  return e;
}

// A modal with a form.  fields: [{ name, label, type: 'text'|'password'|
// 'number'|'select'|'checkbox'|'textarea'|'date'|'datetime', value, options: [[value, label]],
// required, placeholder, help, step }].  onSubmit(values) may throw (the
// error is shown in the form and the modal stays).  Resolves when closed.
export function formModal({ title, fields, submitLabel, onSubmit }) {
  return new Promise((resolve) => {
    const err = h('div', { class: 'form-error', role: 'alert' });
    const inputs = {};
    const rows = fields.map((f) => {
      let input;
      const id = `f-${f.name}`;
      if (f.type === 'select') {
        input = h('select', { id, name: f.name },
          (f.options || []).map(([v, l]) => h('option', { value: v, selected: String(v) === String(f.value ?? '') }, l)));
      } else if (f.type === 'checkbox') {
        input = h('input', { id, name: f.name, type: 'checkbox', checked: !!f.value });
      } else if (f.type === 'date' || f.type === 'datetime') {
        // the console's own input (lib/datetime.js); value in epoch ms
        input = dateTimeInput({ id, name: f.name, time: f.type === 'datetime', ms: f.value ?? null, required: !!f.required });
      } else if (f.type === 'textarea') {
        input = h('textarea', { id, name: f.name, rows: 3 }, f.value ?? '');
      } else {
        input = h('input', { id, name: f.name, type: f.type || 'text', value: f.value ?? '', required: !!f.required,
          placeholder: f.placeholder, step: f.step, autocomplete: f.autocomplete || 'off' });
      }
      inputs[f.name] = { input, f };
      return h('label', { class: `field ${f.type === 'checkbox' ? 'field-check' : ''}`, for: id },
        h('span', { class: 'field-label' }, f.label), input, f.help ? h('small', {}, f.help) : null);
    });
    let release = null;
    const close = (v) => { back.remove(); if (release) release(); resolve(v); };
    const titleId = `modal-title-${++modalSeq}`;
    const form = h('form', { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, onsubmit: async (e) => {
      e.preventDefault();
      const values = {};
      for (const [name, { input, f }] of Object.entries(inputs)) {
        if (f.type === 'checkbox') values[name] = input.checked;
        else if (f.type === 'number') values[name] = input.value === '' ? null : Number(input.value);
        // ISO 8601 with the station's offset, as the API takes it; '' when empty
        else if (f.type === 'date' || f.type === 'datetime') values[name] = input.ms == null ? '' : isoStation(input.ms);
        else values[name] = input.value;
      }
      err.textContent = '';
      try {
        const r = await onSubmit(values);
        close(r ?? true);
      } catch (ex) {
        err.textContent = ex && ex.message ? ex.message : String(ex);
      }
    } },
    h('h2', { id: titleId }, title), err, h('div', { class: 'form-grid' }, rows),
    h('div', { class: 'modal-actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => close(null) }, t('common.cancel')),
      h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel || t('common.save'))));
    const back = h('div', { class: 'modal-back', onclick: (e) => { if (e.target === back) close(null); } }, form);
    document.body.append(back);
    release = modalKeys(form, () => close(null), form.querySelector('input,select,textarea'));
  });
}
let modalSeq = 0;

// A dense table.  columns: [{ label, value: (row) => node|string, class }].
// With onRowClick a row opens by click, or focused by Tab and Enter/Space.
export function table(columns, rows, { empty, onRowClick } = {}) {
  if (!rows.length) return h('div', { class: 'empty' }, empty || t('audit.empty'));
  const row = (r) => {
    const tr = h('tr', { class: onRowClick ? 'clickable' : null, onclick: onRowClick ? () => onRowClick(r) : null },
      columns.map((c) => h('td', { class: c.class }, c.value(r))));
    return onRowClick ? pressable(tr, () => onRowClick(r), { role: null }) : tr;
  };
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.class }, c.label)))),
    h('tbody', {}, rows.map(row))));
}

export function badge(text, kind = 'muted') { return h('span', { class: `badge badge-${kind}` }, text); }

// Page header: title on the left, actions on the right.
export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-head' }, h('h1', {}, title), h('div', { class: 'page-actions' }, actions));
}
