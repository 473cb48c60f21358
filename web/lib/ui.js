// ui: small DOM helpers shared by the pages.  No framework: h() builds
// elements, the rest are a toast, a modal form and a data table.
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
    const close = (v) => { back.remove(); document.removeEventListener('keydown', onKey); resolve(v); };
    const onKey = (e) => { if (e.key === 'Escape') close(null); };
    const form = h('form', { class: 'modal', onsubmit: async (e) => {
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
    h('h2', {}, title), err, h('div', { class: 'form-grid' }, rows),
    h('div', { class: 'modal-actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => close(null) }, t('common.cancel')),
      h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel || t('common.save'))));
    const back = h('div', { class: 'modal-back', onclick: (e) => { if (e.target === back) close(null); } }, form);
    document.body.append(back);
    document.addEventListener('keydown', onKey);
    const first = form.querySelector('input,select,textarea');
    if (first) first.focus();
  });
}

// A dense table.  columns: [{ label, value: (row) => node|string, class }].
export function table(columns, rows, { empty, onRowClick } = {}) {
  if (!rows.length) return h('div', { class: 'empty' }, empty || t('audit.empty'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.class }, c.label)))),
    h('tbody', {}, rows.map((r) => h('tr', { class: onRowClick ? 'clickable' : null, onclick: onRowClick ? () => onRowClick(r) : null },
      columns.map((c) => h('td', { class: c.class }, c.value(r))))))));
}

export function badge(text, kind = 'muted') { return h('span', { class: `badge badge-${kind}` }, text); }

// Page header: title on the left, actions on the right.
export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-head' }, h('h1', {}, title), h('div', { class: 'page-actions' }, actions));
}
