// Entry point: branding from the server's UI configuration, and a small
// hash router (#/admin/..., #/portal/...). Hashes that do not start with
// "#/" are in-page anchors and leave the screen alone.
import { h, clear, api, errorBox } from './lib.js';
import * as admin from './admin.js';
import * as portal from './portal.js';

export const app = { conf: null };

async function loadConf() {
  try {
    const r = await api('GET', '/v1/ui/conf');
    app.conf = r;
  } catch (e) {
    app.conf = { ui: {}, login: { email: true, phone: true, captcha: false, demo: false } };
  }
  const ui = app.conf.ui || {};
  if (ui.company_title) {
    document.getElementById('brand-title').textContent = ui.company_title;
    document.title = `${ui.company_title} · Privacy`;
  }
  if (ui.logo_link) {
    const img = document.getElementById('brand-logo');
    img.src = ui.logo_link;
    img.alt = ui.company_title ? `${ui.company_title} logo` : 'Logo';
    img.hidden = false;
  }
  if (ui.custom_css_link) {
    document.head.append(h('link', { rel: 'stylesheet', href: ui.custom_css_link }));
  }
  const links = [];
  if (ui.company_link) links.push(h('li', {}, h('a', { href: ui.company_link, rel: 'noopener noreferrer' }, ui.company_title || ui.company_link)));
  if (ui.privacy_policy_link) links.push(h('li', {}, h('a', { href: ui.privacy_policy_link, rel: 'noopener noreferrer' }, ui.privacy_policy_title || 'Privacy policy')));
  if (ui.term_of_service_link) links.push(h('li', {}, h('a', { href: ui.term_of_service_link, rel: 'noopener noreferrer' }, ui.term_of_service_title || 'Terms of service')));
  const address = [ui.company_address, ui.company_city, ui.company_country].filter(Boolean).join(', ');
  if (address) links.push(h('li', {}, address));
  if (ui.company_vat) links.push(h('li', {}, `VAT ${ui.company_vat}`));
  links.push(h('li', {}, 'Personal data protected by Databunker'));
  clear(document.getElementById('footer'), h('ul', {}, links));
}

function home(main) {
  document.title = 'Databunker';
  clear(main,
    h('h1', {}, 'Welcome'),
    h('div', { class: 'cards' },
      h('section', { class: 'card' },
        h('h2', {}, 'Your personal data'),
        h('p', {}, 'See what we keep about you, change it, withdraw consents, and ask to be forgotten. You sign in with a one-time code sent to your email or phone.'),
        h('a', { class: 'button', href: '#/portal' }, 'Open my privacy portal')),
      h('section', { class: 'card' },
        h('h2', {}, 'Administrators and DPO'),
        h('p', {}, 'Find and manage user records, read the audit trail, manage legal bases and processing activities. Needs an access token.'),
        h('a', { class: 'button secondary', href: '#/admin' }, 'Open the admin console'))));
}

function setNav(items) {
  const nav = document.getElementById('nav');
  const here = location.hash || '#/';
  clear(nav, items.length ? h('ul', {}, items.map((it) => h('li', {},
    it.href ? h('a', { href: it.href, 'aria-current': here === it.href || here.startsWith(it.href + '/') ? 'page' : null }, it.text)
      : h('button', { type: 'button', onclick: it.onclick }, it.text)))) : null);
}

let renderSeq = 0;
async function route() {
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return;
  const main = document.getElementById('main');
  const parts = hash.slice(2).split('/').filter(Boolean).map(decodeURIComponent);
  const seq = ++renderSeq;
  const ctx = { main, parts: parts.slice(1), setNav, app, current: () => seq === renderSeq };
  try {
    if (parts[0] === 'admin') await admin.render(ctx);
    else if (parts[0] === 'portal') await portal.render(ctx);
    else { setNav([]); home(main); }
  } catch (e) {
    if (ctx.current()) clear(main, errorBox(e, 'Something went wrong'));
  }
  if (ctx.current() && document.activeElement === document.body) {
    const h1 = main.querySelector('h1');
    if (h1) { h1.tabIndex = -1; h1.focus({ preventScroll: true }); }
  }
}

document.getElementById('skip').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main').focus();
});
window.addEventListener('hashchange', route);
loadConf().then(route);
