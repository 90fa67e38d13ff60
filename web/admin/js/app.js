// The panel's shell: who is signed in, the sidebar (as Magento's admin menu), the hash router and
// the page-level messages. Each screen lives in its own module.
import {get, del, setFormKey} from './api.js';
import {h, replace} from './dom.js';
import {dashboardPage} from './dashboard.js';
import {integrationsPage, integrationFormPage} from './integrations.js';
import {configPage} from './config.js';
import {usersPage, userFormPage, rolesPage, roleFormPage} from './permissions.js';

export const state = {session: null};

const MENU = [
  {id: 'dashboard', title: 'Dashboard', href: '#/dashboard', resource: 'Magento_Backend::dashboard'},
  {id: 'sales', title: 'Sales', href: '#/sales', resource: 'Magento_Sales::sales'},
  {id: 'catalog', title: 'Catalog', href: '#/catalog', resource: 'Magento_Catalog::catalog'},
  {id: 'customers', title: 'Customers', href: '#/customers', resource: 'Magento_Customer::customer'},
  {id: 'content', title: 'Content', href: '#/content', resource: 'Magento_Backend::content'},
  {id: 'stores', title: 'Stores', resource: 'Magento_Backend::stores', children: [
    {title: 'Configuration', href: '#/config', resource: 'Magento_Config::config'},
  ]},
  {id: 'system', title: 'System', resource: 'Magento_Backend::system', children: [
    {title: 'Integrations', href: '#/integrations', resource: 'Magento_Integration::integrations'},
    {title: 'All Users', href: '#/permissions/users', resource: 'Magento_User::acl_users'},
    {title: 'User Roles', href: '#/permissions/roles', resource: 'Magento_User::acl_roles'},
  ]},
];

/** Does the signed-in admin's role hold a resource? (The server decides; this only tidies the menu.) */
export function can(resource) {
  const s = state.session;
  return !!s && (s.resource_access === 'all' || s.resources.includes(resource));
}

// --- messages (Magento's page-level success / error / notice lines) ---

let pending = [];

/** Shows a message now, or after the next navigation when later is true. */
export function message(kind, text, later = false) {
  if (later) {
    pending.push({kind, text});
    return;
  }
  const box = document.getElementById('messages');
  box.appendChild(h('div', {class: `message message-${kind}`, role: kind === 'error' ? 'alert' : 'status'}, text));
}

function flushMessages() {
  replace(document.getElementById('messages'));
  const now = pending;
  pending = [];
  now.forEach((m) => message(m.kind, m.text));
}

export function setTitle(text) {
  document.getElementById('page-title').textContent = text;
  document.title = `${text} · storegate Admin`;
}

/** The page body for a refused or failed load. */
export function failure(e) {
  if (e.status === 401) {
    return h('div', {class: 'denied'},
      h('h2', {}, 'Sorry, you need permissions to view this content.'),
      h('p', {}, e.message));
  }
  return h('div', {class: 'message message-error', role: 'alert'}, e.message);
}

function renderMenu() {
  const menu = document.getElementById('menu');
  const items = MENU.map((m) => {
    const sub = m.children
      ? h('ul', {class: 'submenu', 'aria-label': m.title},
        m.children.map((c) => h('li', {}, h('a', {href: c.href, class: can(c.resource) ? '' : 'locked'}, c.title))))
      : null;
    const link = m.href
      ? h('a', {href: m.href, class: 'menu-item', dataset: {menu: m.id}}, h('span', {class: `icon icon-${m.id}`, 'aria-hidden': 'true'}), m.title)
      : h('span', {class: 'menu-item', dataset: {menu: m.id}}, h('span', {class: `icon icon-${m.id}`, 'aria-hidden': 'true'}), m.title);
    return h('li', {class: 'menu-' + m.id}, link, sub);
  });
  replace(menu, items);
}

function highlight(route) {
  document.querySelectorAll('#menu a').forEach((a) => {
    const on = route.startsWith(a.getAttribute('href').slice(1));
    a.classList.toggle('active', on);
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
}

function unavailable(title, what) {
  setTitle(title);
  return h('div', {class: 'panel'},
    h('p', {}, `${title} is not managed in this panel yet.`),
    h('p', {}, what));
}

const ROUTES = [
  [/^\/dashboard$/, () => dashboardPage()],
  [/^\/integrations$/, () => integrationsPage()],
  [/^\/integrations\/new$/, () => integrationFormPage(null)],
  [/^\/integrations\/(\d+)$/, (m) => integrationFormPage(Number(m[1]))],
  [/^\/config(?:\/(webapi|oauth))?$/, (m) => configPage(m[1] || 'webapi')],
  [/^\/permissions\/users$/, () => usersPage()],
  [/^\/permissions\/users\/new$/, () => userFormPage(null)],
  [/^\/permissions\/users\/(\d+)$/, (m) => userFormPage(Number(m[1]))],
  [/^\/permissions\/roles$/, () => rolesPage()],
  [/^\/permissions\/roles\/new$/, () => roleFormPage(null)],
  [/^\/permissions\/roles\/(\d+)$/, (m) => roleFormPage(Number(m[1]))],
  [/^\/sales$/, () => unavailable('Sales', 'Orders are served to integrations through the REST API.')],
  [/^\/catalog$/, () => unavailable('Catalog', 'Products and categories are served to integrations through the REST API.')],
  [/^\/customers$/, () => unavailable('Customers', 'Customer accounts are created with storegate customer:create and served through the REST API.')],
  [/^\/content$/, () => unavailable('Content', 'Pages and blocks are served to integrations through the REST API.')],
];

let renderSeq = 0;

async function route() {
  const path = location.hash.replace(/^#/, '') || '/dashboard';
  const main = document.getElementById('main');
  const seq = ++renderSeq;
  highlight(path);
  document.getElementById('sidebar').classList.remove('open');
  document.getElementById('menu-toggle').setAttribute('aria-expanded', 'false');
  flushMessages();
  const found = ROUTES.find(([re]) => re.test(path));
  replace(main, h('p', {class: 'loading'}, 'Loading…'));
  let content;
  try {
    content = found ? await found[1](path.match(found[0])) : unavailable('Not found', 'This page does not exist.');
  } catch (e) {
    content = failure(e);
  }
  if (seq !== renderSeq) return; // a later navigation won
  replace(main, content);
  const first = main.querySelector('[autofocus]');
  (first || main).focus();
}

export function navigate(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

async function start() {
  try {
    state.session = await get('/session');
  } catch (e) {
    location.assign('/admin/login');
    return;
  }
  setFormKey(state.session.form_key);
  document.getElementById('account-name').textContent = state.session.user.username;
  document.getElementById('sign-out').addEventListener('click', async () => {
    try { await del('/session'); } finally { location.assign('/admin/login?signed-out=1'); }
  });
  const toggle = document.getElementById('menu-toggle');
  toggle.addEventListener('click', () => {
    const open = document.getElementById('sidebar').classList.toggle('open');
    toggle.setAttribute('aria-expanded', String(open));
  });
  renderMenu();
  window.addEventListener('hashchange', route);
  route();
}

start();
