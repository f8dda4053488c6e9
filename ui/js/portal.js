// The end-user privacy portal: one-time-code login, then self-service on the
// person's own record with the portal session token (sessionStorage).
import {
  h, clear, api, enc, field, loading, errorBox, empty, unavailable, toast, when, show, kv,
  table, raw, guarded, confirmDialog, profileEditor, auditView, missing,
} from './lib.js';
import { download, reportView } from './admin.js';

const KEY = 'databunker.portal';
const session = () => { try { return JSON.parse(sessionStorage.getItem(KEY)); } catch (e) { return null; } };
const call = (method, path, json) => api(method, path, { token: (session() || {}).xtoken, json });

async function logout() {
  try { await call('POST', '/v1/logout', {}); } catch (e) { /* the session may be gone already */ }
  sessionStorage.removeItem(KEY);
  toast('You are signed out.');
  if (location.hash === '#/portal') window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = '#/portal';
}

const TABS = [['profile', 'My profile'], ['consents', 'Consents'], ['apps', 'App data'],
  ['sessions', 'Sessions'], ['activity', 'Activity'], ['requests', 'Requests'], ['privacy', 'Delete my data']];

export async function render(ctx) {
  if (ctx.parts[0] === 'deleted') {
    ctx.setNav([]);
    clear(ctx.main, h('h1', {}, 'Your data is deleted'),
      h('p', { class: 'success' }, 'Everything we kept about you has been erased, and you are signed out.'),
      h('a', { href: '#/' }, 'Back to the start page'));
    return undefined;
  }
  const s = session();
  if (!s) return login(ctx);
  ctx.setNav([{ href: '#/portal/profile', text: 'My data' }, { text: 'Sign out', onclick: logout }]);
  const tab = ctx.parts[0] || 'profile';
  const panel = h('div', {}, loading());
  clear(ctx.main,
    h('h1', {}, 'Your personal data'),
    h('ul', { class: 'tabs' }, TABS.map(([t, text]) => h('li', {},
      h('a', { href: `#/portal/${t}`, 'aria-current': t === tab ? 'page' : null }, text)))),
    panel);
  document.title = `${(TABS.find(([t]) => t === tab) || TABS[0])[1]} · Privacy portal`;
  const me = `/v1/user/token/${s.token}`;
  try {
    switch (tab) {
      case 'consents': return await consents(ctx, panel, s);
      case 'apps': return await apps(panel, s);
      case 'sessions': return await sessions(panel, s);
      case 'activity': return clear(panel, h('h2', {}, 'Activity on your record'),
        h('p', { class: 'muted' }, 'Every access to and change of your data is recorded here.'),
        auditView((o, l) => call('GET', `/v1/audit/list/${s.token}?offset=${o}&limit=${l}`)));
      case 'requests': return await requests(panel, s);
      case 'privacy': return await privacy(panel, s);
      default: return await profile(ctx, panel, me);
    }
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      sessionStorage.removeItem(KEY);
      clear(ctx.main, h('h1', {}, 'Session ended'), h('p', { class: 'notice' }, 'Your session has expired. Please sign in again.'),
        h('a', { class: 'button', href: '#/portal' }, 'Sign in'));
      ctx.setNav([]);
      return undefined;
    }
    clear(panel, errorBox(e));
    return undefined;
  }
}

// ---------------------------------------------------------------- login

function login(ctx) {
  ctx.setNav([]);
  document.title = 'Sign in · Privacy portal';
  const conf = ctx.app.conf || { login: {} };
  const lc = conf.login || {};
  const out = h('div', { 'aria-live': 'polite' });
  const state = { mode: 'email', identity: '', captcha: null };
  const stage = h('div', {});
  const askIdentity = () => {
    const modeSel = h('fieldset', { class: 'field' },
      h('legend', {}, 'Sign in with'),
      [['email', 'Email'], ['phone', 'Phone']].map(([v, t]) => {
        const id = `mode-${v}`;
        return h('span', {}, h('input', { type: 'radio', name: 'mode', id, value: v, checked: state.mode === v, onchange: () => { state.mode = v; askIdentity(); } }), ' ', h('label', { for: id }, t), ' ');
      }));
    const ident = field({
      label: state.mode === 'email' ? 'Email address' : 'Phone number', name: 'identity', required: true,
      type: state.mode === 'email' ? 'email' : 'tel', value: state.identity,
      autocomplete: state.mode === 'email' ? 'email' : 'tel', inputmode: state.mode === 'email' ? 'email' : 'tel',
    });
    const capBox = h('div', {});
    const send = h('button', { type: 'submit' }, 'Send me a code');
    const loadCaptcha = async () => {
      if (!lc.captcha) return;
      clear(capBox, loading('Loading the picture…'));
      try {
        const r = await api('POST', '/v2/CaptchaCreate', { json: {} });
        state.captcha = r.captchacode;
        const f = field({ label: 'Type the digits in the picture', name: 'captcha', required: true, inputmode: 'numeric', autocomplete: 'off' });
        clear(capBox, h('img', { class: 'captcha-img', src: r.captchaurl, alt: 'Picture of six digits to type below', width: 180, height: 54 }),
          h('button', { type: 'button', class: 'link', onclick: loadCaptcha }, 'Show another picture'), f);
      } catch (e) {
        clear(capBox, errorBox(e, 'Could not load the picture'));
      }
    };
    clear(stage, h('form', {
      class: 'card', novalidate: true, onsubmit: async (e) => {
        e.preventDefault();
        const input = ident.querySelector('input');
        state.identity = input.value.trim();
        if (!state.identity) {
          input.setAttribute('aria-invalid', 'true');
          clear(out, errorBox(`Enter your ${state.mode === 'email' ? 'email address' : 'phone number'}.`));
          input.focus();
          return;
        }
        let path = `/v1/prelogin/${state.mode}/${enc(state.identity)}`;
        if (lc.captcha) {
          const answer = capBox.querySelector('input[name=captcha]');
          path += `/${enc(answer ? answer.value.trim() || '-' : '-')}/${enc(state.captcha || '-')}`;
        }
        await guarded(send, out, async () => {
          try {
            await api('GET', path);
          } catch (err) {
            if (err.status === 429) throw new Error('Too many attempts. Please wait a few minutes and try again.');
            if (err.message === 'wrong captcha') { loadCaptcha(); throw new Error('The digits did not match the picture. Try the new one.'); }
            throw err;
          }
          askCode();
        });
      },
    },
    h('h2', {}, 'Sign in'),
    h('p', {}, 'We send a one-time code to your email or phone. No password needed.'),
    lc.demo ? h('p', { class: 'notice' }, 'Demo server: sign in with phone 4444 (or email test@securitybunker.io) and code 4444.') : null,
    modeSel, ident, capBox, h('div', { class: 'actions' }, send), out));
    loadCaptcha();
    ident.querySelector('input').focus();
  };
  const askCode = () => {
    clear(out);
    const code = field({ label: 'One-time code', name: 'code', required: true, inputmode: 'numeric', autocomplete: 'one-time-code',
      hint: `Sent to ${state.identity}. It is valid for ${Math.round((lc.code_ttl_s || 300) / 60)} minutes.` });
    const go = h('button', { type: 'submit' }, 'Sign in');
    clear(stage, h('form', {
      class: 'card', novalidate: true, onsubmit: async (e) => {
        e.preventDefault();
        const input = code.querySelector('input');
        const v = input.value.trim();
        if (!/^[0-9]{4,8}$/.test(v)) {
          input.setAttribute('aria-invalid', 'true');
          clear(out, errorBox('Enter the digits of the code you received.'));
          input.focus();
          return;
        }
        await guarded(go, out, async () => {
          let r;
          try {
            r = await api('GET', `/v1/login/${state.mode}/${enc(state.identity)}/${enc(v)}`);
          } catch (err) {
            if (err.status === 429) throw new Error('Too many attempts. Please wait a few minutes and try again.');
            if (err.status === 401 || err.status === 403) throw new Error('That code is wrong or has expired. Check it, or ask for a new one.');
            throw err;
          }
          sessionStorage.setItem(KEY, JSON.stringify({ xtoken: r.xtoken, token: r.token }));
          location.hash = '#/portal/profile';
        });
      },
    },
    h('h2', {}, 'Enter your code'),
    code, h('div', { class: 'actions' }, go,
      h('button', { type: 'button', class: 'secondary', onclick: askIdentity }, 'Use another address or send a new code')), out));
    code.querySelector('input').focus();
  };
  clear(ctx.main, h('h1', {}, 'Privacy portal'), stage);
  askIdentity();
}

// ---------------------------------------------------------------- screens

async function profile(ctx, panel, me) {
  clear(panel, loading('Loading your profile…'));
  let user = await call('GET', me);
  if (!ctx.current()) return;
  const view = () => clear(panel, h('section', { class: 'card' },
    h('h2', {}, 'What we keep about you'),
    kv(user.data),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: edit }, 'Edit my profile'),
      h('button', { type: 'button', class: 'secondary', onclick: getReport }, 'Download all my data')),
    raw(user.data)));
  const edit = () => {
    clear(panel, profileEditor(user.data, async (changes) => {
      await call('PUT', me, changes);
      user = await call('GET', me);
      toast('Your profile is saved.');
      view();
    }, view));
    const first = panel.querySelector('input');
    if (first) first.focus();
  };
  const getReport = async () => {
    try {
      const s = session();
      const report = { generated: new Date().toISOString(), token: s.token, profile: user.data, appdata: {}, sessions: [], agreements: [], audit: [] };
      const appsList = (await call('GET', `/v1/userapp/token/${s.token}`)).apps || [];
      for (const a of appsList) report.appdata[a] = (await call('GET', `/v1/userapp/token/${s.token}/${enc(a)}`)).data;
      report.sessions = (await call('GET', `/v1/sessions/token/${s.token}`)).rows || [];
      report.agreements = (await call('GET', `/v1/agreements/token/${s.token}`)).rows || [];
      report.audit = (await call('GET', `/v1/audit/list/${s.token}?offset=0&limit=1000`)).rows || [];
      download('my-personal-data.json', report);
      panel.append(reportView(report));
    } catch (e) {
      toast(`Could not collect your data: ${e.message}`);
    }
  };
  view();
}

async function consents(ctx, panel, s) {
  clear(panel, loading('Loading your consents…'));
  const [ag, lb] = await Promise.all([
    call('GET', `/v1/agreements/token/${s.token}`),
    call('GET', '/v1/lbasis').catch(() => ({ rows: [] })),
  ]);
  if (!ctx.current()) return;
  const bases = Object.fromEntries((lb.rows || []).map((b) => [b.brief, b]));
  const rows = ag.rows || [];
  clear(panel, h('h2', {}, 'Consents you gave'),
    rows.length === 0 ? empty('You have not given any consent.') :
      rows.map((a) => {
        const b = bases[a.brief] || {};
        const active = a.status === 'accept' || a.status === 'yes';
        const canWithdraw = active && b.usercontrol !== false;
        return h('section', { class: 'card' },
          h('h3', {}, b.shortdesc || a.brief),
          b.fulldesc ? h('p', {}, b.fulldesc) : null,
          h('p', {}, 'Status: ', h('span', { class: 'status-' + a.status }, active ? 'given' : 'withdrawn'),
            h('span', { class: 'muted' }, ` · since ${when(a.when || a.updated)}`)),
          canWithdraw ? h('button', { type: 'button', class: 'danger', 'aria-label': `Withdraw consent: ${b.shortdesc || a.brief}`, onclick: async (e) => {
            if (!await confirmDialog({ title: 'Withdraw this consent?', text: `You withdraw “${b.shortdesc || a.brief}”. The company may no longer use your data for this purpose.`, action: 'Withdraw consent' })) return;
            await guarded(e.target, null, async () => {
              await call('DELETE', `/v1/agreement/${enc(a.brief)}/token/${s.token}`);
              toast('Consent withdrawn.');
              await consents(ctx, panel, s);
            });
          } }, 'Withdraw consent') : (active ? h('p', { class: 'muted' }, 'This one cannot be withdrawn here.') : null));
      }));
}

async function apps(panel, s) {
  clear(panel, loading('Loading app data…'));
  const r = await call('GET', `/v1/userapp/token/${s.token}`);
  const names = r.apps || [];
  const items = await Promise.all(names.map(async (a) => [a, (await call('GET', `/v1/userapp/token/${s.token}/${enc(a)}`)).data]));
  clear(panel, h('h2', {}, 'Data kept by applications'),
    items.length === 0 ? empty('No application keeps extra data about you.') :
      items.map(([a, d]) => h('section', { class: 'card' }, h('h3', {}, a), kv(d))));
}

async function sessions(panel, s) {
  clear(panel, loading('Loading sessions…'));
  const r = await call('GET', `/v1/sessions/token/${s.token}`);
  const rows = r.rows || [];
  clear(panel, h('h2', {}, 'Your sessions'),
    rows.length === 0 ? empty('No active sessions.') :
      table([['Started', (x) => when(x.when)], ['Details', (x) => show(x.data)]], rows));
}

// The requests family answers 404/501 on servers that lack it.
async function requestsList(s) {
  try {
    const r = await call('GET', `/v1/requests/token/${s.token}`);
    return { available: true, rows: r.rows || [] };
  } catch (e) {
    if (missing(e)) return { available: false, rows: [] };
    throw e;
  }
}

async function requests(panel, s) {
  clear(panel, loading('Loading your requests…'));
  const r = await requestsList(s);
  clear(panel, h('h2', {}, 'Your requests'),
    !r.available ? unavailable('Requests') :
      r.rows.length === 0 ? empty('You have no open or past requests.') :
        table([['Request', (q) => q.action || ''], ['Status', (q) => q.status || ''], ['When', (q) => when(q.when || q.creationtime)]], r.rows));
}

async function privacy(panel, s) {
  clear(panel, loading());
  const r = await requestsList(s);
  const viaRequest = r.available;
  const btn = h('button', { type: 'button', class: 'danger' }, viaRequest ? 'Ask to delete my data' : 'Delete my data now');
  const out = h('div', { 'aria-live': 'polite' });
  btn.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: viaRequest ? 'Ask to delete all your data?' : 'Delete all your data now?',
      text: viaRequest ? 'Your request goes to the data protection officer. Once approved, your profile, app data, sessions and consents are erased for good.'
        : 'Your profile, app data, sessions and consents are erased for good, right now. You will be signed out. This cannot be undone.',
      phrase: 'DELETE', action: viaRequest ? 'Send request' : 'Delete everything',
    });
    if (!ok) return;
    await guarded(btn, out, async () => {
      if (viaRequest) {
        await call('POST', '/v2/UserDeleteRequest', { mode: 'token', identity: s.token });
        clear(out, h('p', { class: 'success' }, 'Your request was sent. You can follow it under Requests.'));
      } else {
        await call('DELETE', `/v1/user/token/${s.token}`);
        sessionStorage.removeItem(KEY);
        location.hash = '#/portal/deleted';
      }
    });
  });
  clear(panel, h('h2', {}, 'Delete my data'),
    h('section', { class: 'card' },
      h('p', {}, 'You have the right to be forgotten. ', viaRequest
        ? 'Your request is reviewed and carried out by the company’s data protection officer.'
        : 'Deleting removes your profile, app data, sessions and consents at once.'),
      h('div', { class: 'actions' }, btn), out));
}
