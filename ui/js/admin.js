// The admin / DPO console. The access token lives in sessionStorage (gone
// when the tab closes) and goes in X-Bunker-Token on every call.
import {
  h, clear, api, enc, field, loading, errorBox, empty, unavailable, toast, when, show, kv,
  table, raw, guarded, confirmDialog, profileEditor, auditView, missing,
} from './lib.js';

const KEY = 'databunker.admin.token';
const token = () => sessionStorage.getItem(KEY);
const call = (method, path, json) => api(method, path, { token: token(), json });

function nav(ctx) {
  ctx.setNav([
    { href: '#/admin/users', text: 'Users' },
    { href: '#/admin/consent', text: 'Legal bases' },
    { href: '#/admin/requests', text: 'Requests' },
    { href: '#/admin/bulk', text: 'All users' },
    { href: '#/admin/stats', text: 'Statistics' },
    { text: 'Sign out', onclick: () => { sessionStorage.removeItem(KEY); toast('Signed out.'); location.hash = '#/admin'; if (location.hash === '#/admin') window.dispatchEvent(new HashChangeEvent('hashchange')); } },
  ]);
}

export async function render(ctx) {
  const [screen, ...rest] = ctx.parts;
  if (!token()) return login(ctx);
  nav(ctx);
  switch (screen) {
    case 'user': return userPage(ctx, rest);
    case 'consent': return consentPage(ctx);
    case 'requests': return requestsPage(ctx, rest);
    case 'stats': return statsPage(ctx);
    case 'bulk': return bulkPage(ctx);
    default: return usersPage(ctx);
  }
}

function login(ctx) {
  ctx.setNav([]);
  document.title = 'Admin sign-in · Databunker';
  const out = h('div', { 'aria-live': 'polite' });
  const tok = field({ label: 'Access token', name: 'token', type: 'password', required: true,
    hint: 'The root token printed when the vault was initialized (DEMO in demo mode).', autocomplete: 'off' });
  const btn = h('button', { type: 'submit' }, 'Sign in');
  clear(ctx.main,
    h('h1', {}, 'Admin sign-in'),
    h('form', {
      class: 'card', onsubmit: async (e) => {
        e.preventDefault();
        const value = tok.querySelector('input').value.trim();
        if (!value) return;
        await guarded(btn, out, async () => {
          try {
            await api('GET', '/v1/lbasis', { token: value });
          } catch (err) {
            if (err.status === 401 || err.status === 403) throw new Error('This token is not accepted.');
            throw err;
          }
          sessionStorage.setItem(KEY, value);
          location.hash = '#/admin/users';
        });
      },
    }, tok, h('div', { class: 'actions' }, btn), out));
  tok.querySelector('input').focus();
}

// ---------------------------------------------------------------- users

function guessMode(s) {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) return 'token';
  if (s.includes('@')) return 'email';
  if (/^[+0-9()\-. ]{3,}$/.test(s)) return 'phone';
  return 'login';
}

function usersPage(ctx) {
  document.title = 'Find a user · Databunker';
  const out = h('div', { 'aria-live': 'polite' });
  const mode = field({ label: 'Search by', name: 'mode', type: 'select', value: 'auto', options: [
    ['auto', 'Detect automatically'], ['email', 'Email'], ['phone', 'Phone'], ['login', 'Login'],
    ['token', 'User token'], ['custom', 'Custom index']] });
  const ident = field({ label: 'Email, phone, login or token', name: 'identity', type: 'search', required: true });
  const btn = h('button', { type: 'submit' }, 'Find user');
  clear(ctx.main,
    h('h1', {}, 'Find a user'),
    h('form', {
      class: 'card', role: 'search', onsubmit: async (e) => {
        e.preventDefault();
        const v = ident.querySelector('input').value.trim();
        if (!v) return;
        let m = mode.querySelector('select').value;
        if (m === 'auto') m = guessMode(v);
        await guarded(btn, out, async () => {
          try {
            await call('GET', `/v1/user/${m}/${enc(v)}`);
          } catch (err) {
            if (err.status === 404) throw new Error(`No user found with ${m} “${v}”.`);
            throw err;
          }
          location.hash = `#/admin/user/${m}/${enc(v)}`;
        });
      },
    }, h('div', { class: 'row' }, mode, ident), h('div', { class: 'actions' }, btn), out));
  ident.querySelector('input').focus();
}

const TABS = [['profile', 'Profile'], ['apps', 'App data'], ['sessions', 'Sessions'],
  ['consents', 'Consents'], ['audit', 'Audit trail'], ['report', 'Report']];

async function userPage(ctx, [mode, identity, tab = 'profile']) {
  const base = `#/admin/user/${mode}/${enc(identity)}`;
  const path = `/v1/user/${mode}/${enc(identity)}`;
  document.title = `User · Databunker`;
  const panel = h('div', {}, loading('Loading the user record…'));
  clear(ctx.main,
    h('p', { class: 'no-print' }, h('a', { href: '#/admin/users' }, '← Find another user')),
    h('h1', {}, 'User record'),
    h('p', { class: 'muted' }, `${mode}: ${identity}`),
    h('ul', { class: 'tabs' }, TABS.map(([t, text]) => h('li', {},
      h('a', { href: `${base}/${t}`, 'aria-current': t === tab ? 'page' : null }, text)))),
    panel);
  let user;
  try {
    user = await call('GET', path);
  } catch (e) {
    if (!ctx.current()) return;
    clear(panel, e.status === 404 ? empty('This user does not exist or was forgotten.') : errorBox(e));
    return;
  }
  if (!ctx.current()) return;
  const tok = user.token;
  switch (tab) {
    case 'apps': return appsTab(panel, tok);
    case 'sessions': return sessionsTab(panel, tok);
    case 'consents': return consentsTab(panel, tok);
    case 'audit': return clear(panel, h('h2', {}, 'Audit trail'),
      auditView((o, l) => call('GET', `/v1/audit/list/${tok}?offset=${o}&limit=${l}`), { details: auditDetails }));
    case 'report': return reportTab(panel, tok, user.data);
    default: return profileTab(ctx, panel, path, user);
  }
}

function profileTab(ctx, panel, path, user) {
  const view = () => clear(panel,
    h('section', { class: 'card' },
      h('h2', {}, 'Profile'),
      h('dl', { class: 'kv' }, h('dt', {}, 'Token'), h('dd', {}, h('code', {}, user.token))),
      h('hr', {}),
      kv(user.data),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: edit }, 'Edit profile'),
        h('button', { type: 'button', class: 'danger', onclick: forget }, 'Delete user…')),
      raw(user.data)));
  const edit = () => {
    clear(panel, profileEditor(user.data, async (changes) => {
      await call('PUT', `/v1/user/token/${user.token}`, changes);
      user = await call('GET', `/v1/user/token/${user.token}`);
      toast('Profile saved.');
      view();
    }, view));
    const first = panel.querySelector('input');
    if (first) first.focus();
  };
  const forget = async () => {
    const ok = await confirmDialog({
      title: 'Delete this user?',
      text: 'The profile, app data, sessions and consents are erased for good (the data key is destroyed). The audit trail keeps only that the user existed. This cannot be undone.',
      phrase: 'DELETE', action: 'Delete user',
    });
    if (!ok) return;
    try {
      await call('DELETE', `/v1/user/token/${user.token}`);
      toast('User deleted.');
      location.hash = '#/admin/users';
    } catch (e) {
      toast(`Could not delete: ${e.message}`);
    }
  };
  view();
}

async function appsTab(panel, tok) {
  clear(panel, loading('Loading app data…'));
  try {
    const r = await call('GET', `/v1/userapp/token/${tok}`);
    const apps = r.apps || [];
    const items = await Promise.all(apps.map(async (a) => [a, (await call('GET', `/v1/userapp/token/${tok}/${enc(a)}`)).data]));
    clear(panel, h('h2', {}, 'App data'),
      items.length === 0 ? empty('No application stores data for this user.') :
        items.map(([a, d]) => h('section', { class: 'card' }, h('h3', {}, a), kv(d), raw(d))));
  } catch (e) {
    clear(panel, errorBox(e, 'Could not load app data'));
  }
}

async function sessionsTab(panel, tok) {
  clear(panel, loading('Loading sessions…'));
  try {
    const r = await call('GET', `/v1/sessions/token/${tok}`);
    const rows = r.rows || [];
    clear(panel, h('h2', {}, 'Sessions'),
      rows.length === 0 ? empty('No active sessions.') :
        table([['Session', (s) => h('code', {}, s.session)], ['Created', (s) => when(s.when)],
          ['Data', (s) => show(s.data)]], rows));
  } catch (e) {
    clear(panel, errorBox(e, 'Could not load sessions'));
  }
}

async function consentsTab(panel, tok) {
  clear(panel, loading('Loading consents…'));
  try {
    const r = await call('GET', `/v1/agreements/token/${tok}`);
    const rows = r.rows || [];
    clear(panel, h('h2', {}, 'Consents and agreements'),
      rows.length === 0 ? empty('This user has given no consent yet.') :
        table([['Legal basis', (a) => a.brief], ['Status', (a) => h('span', { class: 'status-' + a.status }, a.status)],
          ['Type', (a) => a.lawfulbasis || ''], ['Changed', (a) => when(a.when || a.updated)]], rows));
  } catch (e) {
    clear(panel, errorBox(e, 'Could not load consents'));
  }
}

async function auditDetails(row, button) {
  try {
    const ev = await call('GET', `/v1/audit/get/${row.atoken}`);
    const e = ev.event || ev;
    const parse = (v) => { if (typeof v !== 'string') return v; try { return JSON.parse(v); } catch (x) { return v; } };
    const before = parse(e.before) || {};
    const after = parse(e.after) || {};
    const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])]
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    button.replaceWith(h('div', {},
      keys.length === 0 ? h('p', { class: 'muted' }, 'No field changed.') :
        h('table', { class: 'diff' }, h('thead', {}, h('tr', {}, h('th', {}, 'Field'), h('th', {}, 'Before'), h('th', {}, 'After'))),
          h('tbody', {}, keys.map((k) => h('tr', {}, h('td', {}, k), h('td', {}, show(before[k])), h('td', {}, show(after[k])))))),
      raw(ev, 'Event details (raw)')));
  } catch (e) {
    toast(`Could not load the event: ${e.message}`);
  }
}

// Everything the vault holds on one user, assembled from the calls that exist.
async function collectReport(tok, profile) {
  const report = { generated: new Date().toISOString(), token: tok, profile, appdata: {}, sessions: [], agreements: [], audit: [] };
  const apps = (await call('GET', `/v1/userapp/token/${tok}`)).apps || [];
  for (const a of apps) report.appdata[a] = (await call('GET', `/v1/userapp/token/${tok}/${enc(a)}`)).data;
  report.sessions = (await call('GET', `/v1/sessions/token/${tok}`)).rows || [];
  report.agreements = (await call('GET', `/v1/agreements/token/${tok}`)).rows || [];
  let offset = 0;
  for (;;) {
    const r = await call('GET', `/v1/audit/list/${tok}?offset=${offset}&limit=500`);
    report.audit = report.audit.concat(r.rows || []);
    offset += 500;
    if (!r.rows || r.rows.length === 0 || report.audit.length >= (r.total || 0) || offset >= 10000) break;
  }
  return report;
}

export function download(name, obj) {
  const blob = new Blob([JSON.stringify(obj, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, class: 'sr-only' }, 'download');
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function reportView(report) {
  return h('article', { class: 'report card' },
    h('h2', {}, 'Personal data report'),
    h('p', { class: 'muted' }, `User ${report.token} · generated ${new Date(report.generated).toLocaleString()}`),
    h('h3', {}, 'Profile'), kv(report.profile),
    h('h3', {}, 'App data'),
    Object.keys(report.appdata).length === 0 ? empty('None.') :
      Object.entries(report.appdata).map(([a, d]) => [h('h4', {}, a), kv(d)]),
    h('h3', {}, 'Sessions'),
    report.sessions.length === 0 ? empty('None.') :
      table([['Session', (s) => s.session], ['Created', (s) => when(s.when)], ['Data', (s) => show(s.data)]], report.sessions),
    h('h3', {}, 'Consents'),
    report.agreements.length === 0 ? empty('None.') :
      table([['Legal basis', (a) => a.brief], ['Status', (a) => a.status], ['Changed', (a) => when(a.when || a.updated)]], report.agreements),
    h('h3', {}, `Audit trail (${report.audit.length} events)`),
    report.audit.length === 0 ? empty('None.') :
      table([['When', (r) => when(r.when)], ['Action', (r) => r.title], ['Who', (r) => r.who], ['Result', (r) => r.status]], report.audit));
}

function reportTab(panel, tok, profile) {
  const out = h('div', { 'aria-live': 'polite' });
  const dl = h('button', { type: 'button' }, 'Download report (JSON)');
  const open = h('button', { type: 'button', class: 'secondary' }, 'Show readable report');
  dl.addEventListener('click', () => guarded(dl, out, async () => {
    const r = await collectReport(tok, profile);
    download(`databunker-report-${tok}.json`, r);
    clear(out, h('p', { class: 'success' }, 'Report downloaded.'));
  }));
  open.addEventListener('click', () => guarded(open, out, async () => {
    clear(out, loading('Collecting the report…'));
    const r = await collectReport(tok, profile);
    clear(out, h('div', { class: 'actions no-print' },
      h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, 'Print')), reportView(r), raw(r));
  }));
  clear(panel, h('h2', {}, 'Personal data report'),
    h('p', {}, 'Everything the vault holds about this user: profile, app data, sessions, consents and the audit trail.'),
    h('div', { class: 'actions' }, dl, open), out);
}

// ---------------------------------------------------------------- legal bases

const BASIS_TYPES = [['consent', 'Consent'], ['contract', 'Contract'], ['legal-requirement', 'Legal requirement'],
  ['vital-interest', 'Vital interest'], ['public-interest', 'Public interest'], ['legitimate-interest', 'Legitimate interest']];

async function consentPage(ctx) {
  document.title = 'Legal bases · Databunker';
  const lbBox = h('div', {}, loading('Loading legal bases…'));
  const paBox = h('div', {}, loading('Loading processing activities…'));
  clear(ctx.main, h('h1', {}, 'Legal bases and processing activities'), lbBox, paBox);
  let bases = [];
  let acts = [];
  const reload = async () => {
    try {
      bases = (await call('GET', '/v1/lbasis')).rows || [];
      acts = (await call('GET', '/v1/pactivity')).rows || [];
    } catch (e) {
      clear(lbBox, errorBox(e, 'Could not load legal bases'));
      clear(paBox);
      return;
    }
    if (!ctx.current()) return;
    drawBases();
    drawActs();
  };
  const drawBases = (editing) => {
    const out = h('div', { 'aria-live': 'polite' });
    const e = editing || {};
    const f = {
      brief: field({ label: 'Short name (brief)', name: 'brief', required: true, value: e.brief, hint: 'Lower case letters, digits, - and _; used in API calls.' }),
      shortdesc: field({ label: 'Title', name: 'shortdesc', value: e.shortdesc }),
      basistype: field({ label: 'Type', name: 'basistype', type: 'select', options: BASIS_TYPES, value: e.basistype || 'consent' }),
      module: field({ label: 'Module', name: 'module', value: e.module }),
      fulldesc: field({ label: 'Full description', name: 'fulldesc', type: 'textarea', value: e.fulldesc }),
      requiredmsg: field({ label: 'Message when required', name: 'requiredmsg', value: e.requiredmsg }),
      requiredflag: field({ label: 'Required', name: 'requiredflag', type: 'checkbox', value: e.requiredflag }),
      usercontrol: field({ label: 'User can withdraw', name: 'usercontrol', type: 'checkbox', value: editing ? e.usercontrol : true }),
    };
    const save = h('button', { type: 'submit' }, editing ? 'Save legal basis' : 'Create legal basis');
    const form = h('form', {
      class: 'card', onsubmit: async (ev) => {
        ev.preventDefault();
        const val = (n) => form.querySelector(`[name=${n}]`);
        const brief = val('brief').value.trim();
        if (!brief) { val('brief').setAttribute('aria-invalid', 'true'); val('brief').focus(); return; }
        const body = {};
        for (const n of ['shortdesc', 'basistype', 'module', 'fulldesc', 'requiredmsg']) body[n] = val(n).value;
        body.requiredflag = val('requiredflag').checked;
        body.usercontrol = val('usercontrol').checked;
        await guarded(save, out, async () => {
          if (editing) await call('POST', '/v2/LegalBasisUpdate', { brief, ...body });
          else await call('POST', `/v1/lbasis/${enc(brief)}`, body);
          toast(editing ? 'Legal basis saved.' : 'Legal basis created.');
          await reload();
        });
      },
    },
    h('h3', {}, editing ? `Edit “${e.brief}”` : 'New legal basis'),
    h('div', { class: 'row' }, f.brief, f.shortdesc, f.basistype, f.module),
    f.fulldesc, h('div', { class: 'row' }, f.requiredmsg, f.requiredflag, f.usercontrol),
    h('div', { class: 'actions' }, save, editing ? h('button', { type: 'button', class: 'secondary', onclick: () => drawBases() }, 'Cancel') : null), out);
    if (editing) form.querySelector('[name=brief]').readOnly = true;
    clear(lbBox, h('h2', {}, 'Legal bases'),
      bases.length === 0 ? empty('No legal basis defined yet. Create one below.') :
        table([
          ['Brief', (b) => h('code', {}, b.brief)], ['Title', (b) => b.shortdesc], ['Type', (b) => b.basistype],
          ['Status', (b) => h('span', { class: 'status-' + b.status }, b.status)],
          ['User control', (b) => (b.usercontrol ? 'yes' : 'no')],
          ['', (b) => h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit ${b.brief}`, onclick: () => { drawBases(b); lbBox.querySelector('input[name=shortdesc]').focus(); } }, 'Edit'),
            h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${b.brief}`, onclick: async () => {
              if (!await confirmDialog({ title: `Delete “${b.brief}”?`, text: 'Agreements that use this legal basis are revoked.', action: 'Delete' })) return;
              try { await call('DELETE', `/v1/lbasis/${enc(b.brief)}`); toast('Legal basis deleted.'); await reload(); } catch (err) { toast(`Could not delete: ${err.message}`); }
            } }, 'Delete'))],
        ], bases),
      form);
  };
  const drawActs = () => {
    const out = h('div', { 'aria-live': 'polite' });
    const f = {
      activity: field({ label: 'Short name', name: 'activity', required: true }),
      title: field({ label: 'Title', name: 'title' }),
      applicableto: field({ label: 'Applies to', name: 'applicableto' }),
      fulldesc: field({ label: 'Description', name: 'fulldesc', type: 'textarea' }),
    };
    const create = h('button', { type: 'submit' }, 'Create activity');
    const form = h('form', {
      class: 'card', onsubmit: async (ev) => {
        ev.preventDefault();
        const val = (n) => form.querySelector(`[name=${n}]`).value.trim();
        if (!val('activity')) return;
        await guarded(create, out, async () => {
          await call('POST', `/v1/pactivity/${enc(val('activity'))}`, { title: val('title'), applicableto: val('applicableto'), fulldesc: val('fulldesc') });
          toast('Processing activity created.');
          await reload();
        });
      },
    }, h('h3', {}, 'New processing activity'), h('div', { class: 'row' }, f.activity, f.title, f.applicableto), f.fulldesc,
    h('div', { class: 'actions' }, create), out);
    const linkOut = h('div', { 'aria-live': 'polite' });
    const la = field({ label: 'Activity', name: 'la', type: 'select', options: acts.map((a) => [a.activity, a.title || a.activity]) });
    const lb = field({ label: 'Legal basis', name: 'lb', type: 'select', options: bases.map((b) => [b.brief, b.shortdesc || b.brief]) });
    const linkBtn = h('button', { type: 'submit' }, 'Link');
    const linkForm = h('form', {
      class: 'card', onsubmit: async (ev) => {
        ev.preventDefault();
        const a = la.querySelector('select').value; const b = lb.querySelector('select').value;
        if (!a || !b) return;
        await guarded(linkBtn, linkOut, async () => {
          await call('POST', `/v1/pactivity/${enc(a)}/${enc(b)}`);
          toast('Linked.');
          await reload();
        });
      },
    }, h('h3', {}, 'Link a legal basis to an activity'), h('div', { class: 'row' }, la, lb, h('div', { class: 'field check' }, linkBtn)), linkOut);
    clear(paBox, h('h2', {}, 'Processing activities'),
      acts.length === 0 ? empty('No processing activity defined yet.') :
        table([
          ['Activity', (a) => h('code', {}, a.activity)], ['Title', (a) => a.title],
          ['Legal bases', (a) => (a.legalbasis || []).length === 0 ? h('span', { class: 'muted' }, 'none') :
            (a.legalbasis || []).map((b) => h('span', { class: 'chip' }, b,
              h('button', { type: 'button', class: 'link', 'aria-label': `Unlink ${b} from ${a.activity}`, onclick: async () => {
                try { await call('DELETE', `/v1/pactivity/${enc(a.activity)}/${enc(b)}`); toast('Unlinked.'); await reload(); } catch (err) { toast(err.message); }
              } }, '×')))],
          ['', (a) => h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${a.activity}`, onclick: async () => {
            if (!await confirmDialog({ title: `Delete “${a.activity}”?`, text: 'The activity and its links are removed.', action: 'Delete' })) return;
            try { await call('DELETE', `/v1/pactivity/${enc(a.activity)}`); toast('Activity deleted.'); await reload(); } catch (err) { toast(err.message); }
          } }, 'Delete')],
        ], acts),
      acts.length && bases.length ? linkForm : null,
      form);
  };
  await reload();
}

// ---------------------------------------------------------------- requests, stats, bulk

async function requestsPage(ctx, [id]) {
  document.title = 'Requests · Databunker';
  const box = h('div', {}, loading('Loading requests…'));
  clear(ctx.main, h('h1', {}, id ? 'Request' : 'Pending data-subject requests'), box);
  if (id) {
    try {
      const r = await call('GET', `/v1/request/${enc(id)}`);
      if (!ctx.current()) return;
      clear(box, h('p', {}, h('a', { href: '#/admin/requests' }, '← All requests')), h('section', { class: 'card' }, kv(Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'status'))), raw(r)),
        requestActions(id, () => { location.hash = '#/admin/requests'; }));
    } catch (e) {
      clear(box, missing(e) && e.status !== 404 ? unavailable('Requests') : errorBox(e));
    }
    return;
  }
  try {
    const r = await call('GET', '/v1/requests?status=open');
    if (!ctx.current()) return;
    const rows = r.rows || [];
    clear(box, rows.length === 0 ? empty('No open requests. Requests appear here when users ask to change or delete their data.') :
      table([
        ['Request', (q) => h('a', { href: `#/admin/requests/${enc(q.rtoken || q.requestuuid || '')}` }, q.rtoken || q.requestuuid || '?')],
        ['User', (q) => q.token || ''], ['Action', (q) => q.action || ''], ['Status', (q) => q.status || ''],
        ['When', (q) => when(q.when || q.creationtime)],
        ['', (q) => requestActions(q.rtoken || q.requestuuid, () => requestsPage(ctx, []))],
      ], rows));
  } catch (e) {
    clear(box, missing(e) ? unavailable('Data-subject requests') : errorBox(e));
  }
}

function requestActions(id, after) {
  const act = async (method, verb) => {
    if (!await confirmDialog({ title: `${verb} this request?`, text: verb === 'Approve' ? 'The requested change or deletion is carried out.' : 'The request is closed without any change.', action: verb, danger: verb !== 'Approve' })) return;
    try { await call(method, `/v1/request/${enc(id)}`); toast(`Request ${verb === 'Approve' ? 'approved' : 'cancelled'}.`); after(); } catch (e) { toast(e.message); }
  };
  return h('div', { class: 'actions' },
    h('button', { type: 'button', onclick: () => act('POST', 'Approve') }, 'Approve'),
    h('button', { type: 'button', class: 'secondary', onclick: () => act('DELETE', 'Cancel') }, 'Cancel request'));
}

async function statsPage(ctx) {
  document.title = 'Statistics · Databunker';
  const box = h('div', {}, loading('Loading statistics…'));
  clear(ctx.main, h('h1', {}, 'System statistics'), box);
  try {
    const r = await call('POST', '/v2/SystemGetSystemStats', {});
    if (!ctx.current()) return;
    const s = r.stats || {};
    const names = { numusers: 'Users', numtenants: 'Tenants', numtokens: 'Tokens', numsessions: 'Sessions' };
    clear(box, h('section', { class: 'card' },
      h('dl', { class: 'kv' }, Object.entries(s).map(([k, v]) => [h('dt', {}, names[k] || k), h('dd', {}, show(v))]))), raw(r));
  } catch (e) {
    clear(box, missing(e) ? unavailable('System statistics') : errorBox(e));
  }
}

async function bulkPage(ctx) {
  document.title = 'All users · Databunker';
  const box = h('div', {}, loading('Unlocking the user list…'));
  clear(ctx.main, h('h1', {}, 'All users'), box);
  let unlock;
  try {
    unlock = (await call('POST', '/v2/BulkListUnlock', {})).unlockuuid;
  } catch (e) {
    clear(box, missing(e) ? unavailable('Bulk listing') : errorBox(e));
    return;
  }
  const LIMIT = 20;
  const show = async (offset) => {
    clear(box, loading());
    try {
      const r = await call('POST', '/v2/BulkListAllUsers', { unlockuuid: unlock, offset, limit: LIMIT });
      if (!ctx.current()) return;
      const rows = r.rows || [];
      const total = r.total || rows.length;
      clear(box, rows.length === 0 ? empty('No users yet.') :
        table([
          ['Token', (u) => h('a', { href: `#/admin/user/token/${u.token}` }, u.token)],
          ['Email', (u) => (u.profile || {}).email || ''], ['Phone', (u) => (u.profile || {}).phone || ''],
          ['Login', (u) => (u.profile || {}).login || ''],
        ], rows),
      h('div', { class: 'pager' },
        h('button', { type: 'button', class: 'secondary', disabled: offset === 0, onclick: () => show(Math.max(0, offset - LIMIT)) }, 'Previous'),
        h('span', {}, `${offset + 1}–${offset + rows.length} of ${total}`),
        h('button', { type: 'button', class: 'secondary', disabled: offset + LIMIT >= total, onclick: () => show(offset + LIMIT) }, 'Next')));
    } catch (e) {
      clear(box, missing(e) ? unavailable('Bulk listing') : errorBox(e));
    }
  };
  await show(0);
}
