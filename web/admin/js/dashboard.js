// Dashboard: the store's counts and the integrations' status at a glance.
import {get} from './api.js';
import {h} from './dom.js';
import {setTitle} from './app.js';

function card(label, value, href) {
  const body = [h('span', {class: 'count'}, String(value)), h('span', {class: 'label'}, label)];
  return h('li', {class: 'card'}, href ? h('a', {href}, body) : body);
}

export async function dashboardPage() {
  setTitle('Dashboard');
  const d = await get('/dashboard');
  return h('div', {class: 'dashboard'},
    h('section', {'aria-labelledby': 'dash-store'},
      h('h2', {id: 'dash-store'}, 'Store'),
      h('ul', {class: 'cards'},
        card('Websites', d.websites),
        card('Store Views', d.store_views),
        card('Products', d.products),
        card('Categories', d.categories),
        card('Customers', d.customers),
        card('Admin Users', d.admin_users, '#/permissions/users'))),
    h('section', {'aria-labelledby': 'dash-int'},
      h('h2', {id: 'dash-int'}, 'Integrations'),
      h('ul', {class: 'cards'},
        card('Integrations', d.integrations, '#/integrations'),
        card('Active', d.integrations_active, '#/integrations'),
        card('Inactive', d.integrations_inactive, '#/integrations'),
        card('Reset', d.integrations_reset, '#/integrations'))),
    h('section', {'aria-labelledby': 'dash-api'},
      h('h2', {id: 'dash-api'}, 'Web API'),
      h('p', {}, 'Allow Anonymous Guest Access: ',
        h('strong', {id: 'dash-guest'}, d.allow_insecure ? 'Yes' : 'No'), ' ',
        h('a', {href: '#/config/webapi'}, 'Change'))));
}
