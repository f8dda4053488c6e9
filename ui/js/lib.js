// Shared helpers: safe DOM building (text only, never innerHTML with data),
// the API client, and small components used by both consoles.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
export function newId(prefix) { uid += 1; return `${prefix || 'f'}-${uid}`; }

// A labelled form field. opts: {label, name, type, value, hint, required, options, autocomplete}
export function field(opts) {
  const id = newId(opts.name);
  let input;
  if (opts.type === 'select') {
    input = h('select', { id, name: opts.name },
      opts.options.map(([v, t]) => h('option', { value: v, selected: v === opts.value }, t)));
  } else if (opts.type === 'textarea') {
    input = h('textarea', { id, name: opts.name, rows: opts.rows || 4, required: opts.required },
      opts.value || '');
  } else if (opts.type === 'checkbox') {
    input = h('input', { id, name: opts.name, type: 'checkbox', checked: !!opts.value });
    return h('div', { class: 'field check' }, input, h('label', { for: id }, opts.label));
  } else {
    input = h('input', {
      id, name: opts.name, type: opts.type || 'text', value: opts.value ?? '',
      required: opts.required, autocomplete: opts.autocomplete || 'off',
      inputmode: opts.inputmode, placeholder: opts.placeholder, pattern: opts.pattern,
      'aria-describedby': opts.hint ? id + '-hint' : null, spellcheck: 'false',
    });
  }
  return h('div', { class: 'field' + (opts.wide ? ' wide' : '') },
    h('label', { for: id }, opts.label),
    input,
    opts.hint ? h('span', { class: 'hint', id: id + '-hint' }, opts.hint) : null);
}

// ---------------------------------------------------------------- API

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let pending = 0;
function busy(delta) {
  pending += delta;
  const bar = document.getElementById('busy');
  if (bar) bar.hidden = pending <= 0;
}

// Call the server. opts: {token, json, form}. Resolves to the parsed JSON body
// (or a Blob for non-JSON replies); rejects with ApiError.
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (opts.token) headers['X-Bunker-Token'] = opts.token;
  let body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  busy(1);
  let r;
  try {
    r = await fetch(path, { method, headers, body, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
  } finally {
    busy(-1);
  }
  const ctype = r.headers.get('Content-Type') || '';
  let data = null;
  if (ctype.includes('application/json')) {
    try { data = await r.json(); } catch (e) { data = null; }
  }
  if (!r.ok || (data && data.status === 'error')) {
    const msg = data && typeof data.message === 'string' ? data.message : `HTTP ${r.status}`;
    throw new ApiError(r.status, msg);
  }
  return data;
}

// 404 or 501: the server does not have this call (yet).
export function missing(e) {
  return e instanceof ApiError && (e.status === 404 || e.status === 501 || e.status === 405);
}

export function enc(s) { return encodeURIComponent(s); }

// ---------------------------------------------------------------- components

export function loading(text) {
  return h('p', { class: 'loading', role: 'status' }, text || 'Loading…');
}

export function errorBox(e, prefix) {
  const msg = e instanceof Error ? e.message : String(e);
  return h('div', { class: 'error', role: 'alert' }, prefix ? `${prefix}: ${msg}` : msg);
}

export function empty(text) { return h('p', { class: 'empty' }, text); }

export function unavailable(what) {
  return h('div', { class: 'unavailable', role: 'note' },
    h('strong', {}, `${what}: not available on this server yet.`), ' ',
    'This Databunker build does not answer this call. The screen will work once the server provides it.');
}

export function toast(text) {
  const box = document.getElementById('toast');
  const item = h('div', {}, text);
  box.append(item);
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => item.remove(), 4000);
}

export function when(ts) {
  if (ts === undefined || ts === null || ts === '' || ts === 0) return '—';
  const n = Number(ts);
  if (!Number.isFinite(n)) return String(ts);
  return new Date(n * 1000).toLocaleString();
}

// A value for display: strings as is, everything else as compact JSON.
export function show(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function kv(obj) {
  const keys = Object.keys(obj || {});
  if (keys.length === 0) return empty('No fields.');
  return h('dl', { class: 'kv' }, keys.map((k) => [h('dt', {}, k), h('dd', {}, show(obj[k]))]));
}

// A table. cols: [[header, row => cell content]]
export function table(cols, rows, caption) {
  return h('div', { class: 'table-wrap' },
    h('table', {},
      caption ? h('caption', { class: 'sr-only' }, caption) : null,
      h('thead', {}, h('tr', {}, cols.map(([t]) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, cols.map(([, f]) => h('td', {}, f(r))))))));
}

// An explicit raw JSON view, collapsed by default.
export function raw(obj, label) {
  return h('details', { class: 'no-print' },
    h('summary', {}, label || 'Raw JSON'),
    h('pre', { class: 'raw' }, JSON.stringify(obj, null, 2)));
}

// Run <fn> with <button> disabled, showing failures in <out>.
export async function guarded(button, out, fn) {
  if (button) button.disabled = true;
  if (out) clear(out);
  try {
    return await fn();
  } catch (e) {
    if (out) clear(out, errorBox(e));
    else toast(e.message);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// A modal confirmation. With <phrase>, the person must type it first.
export function confirmDialog({ title, text, phrase, action, danger = true }) {
  return new Promise((resolve) => {
    const inputId = newId('confirm');
    const input = phrase ? h('input', { id: inputId, type: 'text', autocomplete: 'off' }) : null;
    const ok = h('button', { type: 'submit', class: danger ? 'danger' : '', disabled: !!phrase },
      action);
    const cancel = h('button', { type: 'button', class: 'secondary', value: 'cancel' }, 'Cancel');
    const titleId = newId('dlg');
    const dlg = h('dialog', { 'aria-labelledby': titleId },
      h('form', { method: 'dialog' },
        h('h2', { id: titleId }, title),
        h('p', {}, text),
        phrase ? h('div', { class: 'field' },
          h('label', { for: inputId }, `Type ${phrase} to confirm`), input) : null,
        h('div', { class: 'actions' }, ok, cancel)));
    if (input) input.addEventListener('input', () => { ok.disabled = input.value.trim() !== phrase; });
    let answered = false;
    const done = (v) => { if (!answered) { answered = true; resolve(v); } dlg.close(); dlg.remove(); };
    cancel.addEventListener('click', () => done(false));
    dlg.addEventListener('cancel', () => done(false));
    dlg.querySelector('form').addEventListener('submit', (e) => {
      e.preventDefault();
      if (!phrase || input.value.trim() === phrase) done(true);
    });
    document.body.append(dlg);
    dlg.showModal();
    (input || cancel).focus();
  });
}

// A profile editor: one row per field, values as text (non-strings as JSON),
// remove and add. onSave(changes) gets the merge patch (null removes).
export function profileEditor(profile, onSave, onCancel) {
  const rows = h('div', {});
  const out = h('div', { 'aria-live': 'polite' });
  const removed = new Set();
  const addRow = (name, value, isNew) => {
    const id = newId('pf');
    const input = h('input', { id, type: 'text', value: value, 'data-name': name, autocomplete: 'off' });
    const nameInput = isNew ? h('input', { type: 'text', placeholder: 'field name', 'aria-label': 'New field name', class: 'newname' }) : null;
    const row = h('div', { class: 'row' },
      isNew ? h('div', { class: 'field' }, h('label', { for: id + 'n' }, 'New field'), nameInput) : null,
      h('div', { class: 'field' }, h('label', { for: id }, isNew ? 'Value' : name), input),
      h('div', { class: 'field check' },
        h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${name || 'new field'}`,
          onclick: () => { if (!isNew) removed.add(name); row.remove(); } }, 'Remove')));
    if (nameInput) nameInput.id = id + 'n';
    rows.append(row);
    return row;
  };
  for (const [k, v] of Object.entries(profile || {})) addRow(k, typeof v === 'string' ? v : JSON.stringify(v), false);
  const parse = (s, orig) => {
    if (typeof orig === 'string' || orig === undefined) {
      return s;
    }
    try { return JSON.parse(s); } catch (e) { return s; }
  };
  const save = h('button', { type: 'submit' }, 'Save changes');
  const form = h('form', {
    class: 'card',
    onsubmit: async (e) => {
      e.preventDefault();
      const changes = {};
      for (const r of removed) changes[r] = null;
      for (const row of rows.children) {
        const input = row.querySelector('input[data-name]');
        const nameInput = row.querySelector('input.newname');
        const name = nameInput ? nameInput.value.trim() : input.dataset.name;
        if (!name) continue;
        const orig = nameInput ? undefined : profile[name];
        const val = parse(input.value, orig);
        if (nameInput || JSON.stringify(val) !== JSON.stringify(orig)) changes[name] = val;
      }
      if (Object.keys(changes).length === 0) { clear(out, h('p', { class: 'notice' }, 'Nothing changed.')); return; }
      await guarded(save, out, () => onSave(changes));
    },
  },
  h('h2', {}, 'Edit profile'),
  h('p', { class: 'hint' }, 'Text values are saved as text. Numbers, true/false, lists and objects keep their JSON form.'),
  rows,
  h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'secondary', onclick: () => addRow('', '', true).querySelector('input').focus() }, 'Add field'),
    save,
    h('button', { type: 'button', class: 'secondary', onclick: onCancel }, 'Cancel')),
  out);
  return form;
}

// Audit trail with filters and paging, over rows the caller loads.
// load(offset, limit) -> {total, rows}
export function auditView(load, opts = {}) {
  const root = h('section', { 'aria-label': 'Audit trail' });
  const PAGE = 15;
  const MAX = 2000;
  let all = [];
  let total = 0;
  let page = 0;
  const actionSel = h('select', { id: newId('af') }, h('option', { value: '' }, 'All actions'));
  const statusSel = h('select', { id: newId('sf') },
    h('option', { value: '' }, 'Any result'), h('option', { value: 'ok' }, 'Succeeded'),
    h('option', { value: 'error' }, 'Failed'));
  const textIn = h('input', { id: newId('tf'), type: 'search', placeholder: 'who, message…' });
  const body = h('div', {});
  const filters = h('form', { class: 'row no-print', role: 'search', onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'field' }, h('label', { for: actionSel.id }, 'Action'), actionSel),
    h('div', { class: 'field' }, h('label', { for: statusSel.id }, 'Result'), statusSel),
    h('div', { class: 'field' }, h('label', { for: textIn.id }, 'Contains'), textIn));
  const render = () => {
    const a = actionSel.value; const s = statusSel.value; const t = textIn.value.trim().toLowerCase();
    const rows = all.filter((r) => (!a || r.title === a) && (!s || r.status === s) &&
      (!t || [r.who, r.msg, r.title, r.mode].some((x) => String(x || '').toLowerCase().includes(t))));
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    if (page >= pages) page = pages - 1;
    const slice = rows.slice(page * PAGE, page * PAGE + PAGE);
    clear(body,
      rows.length === 0 ? empty(all.length ? 'No events match these filters.' : 'No events recorded yet.') :
        table([
          ['When', (r) => when(r.when)],
          ['Action', (r) => r.title],
          ['Who', (r) => r.who],
          ['Result', (r) => h('span', { class: 'status-' + r.status }, r.status === 'ok' ? 'ok' : 'failed')],
          ['Message', (r) => r.msg || ''],
          ...(opts.details ? [['', (r) => h('button', { type: 'button', class: 'link', onclick: (e) => opts.details(r, e.target) }, 'Details')]] : []),
        ], slice),
      h('div', { class: 'pager no-print' },
        h('button', { type: 'button', class: 'secondary', disabled: page === 0, onclick: () => { page -= 1; render(); } }, 'Previous'),
        h('span', { 'aria-live': 'polite' }, `Page ${page + 1} of ${pages} · ${rows.length} event${rows.length === 1 ? '' : 's'}`),
        h('button', { type: 'button', class: 'secondary', disabled: page >= pages - 1, onclick: () => { page += 1; render(); } }, 'Next')),
      total > all.length ? h('p', { class: 'hint' }, `Showing the newest ${all.length} of ${total} events.`) : null);
  };
  for (const el of [actionSel, statusSel]) el.addEventListener('change', () => { page = 0; render(); });
  textIn.addEventListener('input', () => { page = 0; render(); });
  clear(root, filters, body);
  clear(body, loading('Loading audit events…'));
  (async () => {
    try {
      let offset = 0;
      do {
        const r = await load(offset, 500);
        total = r.total || 0;
        all = all.concat(r.rows || []);
        offset += 500;
        if (!r.rows || r.rows.length === 0) break;
      } while (all.length < total && all.length < MAX);
      const titles = [...new Set(all.map((r) => r.title))].sort();
      for (const t of titles) actionSel.append(h('option', { value: t }, t));
      render();
    } catch (e) {
      clear(body, errorBox(e, 'Could not load the audit trail'));
    }
  })();
  return root;
}
