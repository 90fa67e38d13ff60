// System > Permissions: All Users and User Roles. A role holds resources from the same ACL tree as
// integrations; an admin's token and session are limited to the role's resources.
import {get, post, put, del} from './api.js';
import {h, replace, field, confirmDialog} from './dom.js';
import {setTitle, message, navigate, state} from './app.js';
import {resourceTree} from './tree.js';

function grid(id, caption, headers, rows) {
  return h('div', {class: 'table-wrap'}, h('table', {class: 'grid', id},
    h('caption', {class: 'visually-hidden'}, caption),
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', {colspan: headers.length, class: 'empty'}, "We couldn't find any records.")))));
}

export async function usersPage() {
  setTitle('Users');
  const users = await get('/users');
  return h('div', {},
    h('div', {class: 'page-actions'}, h('a', {href: '#/permissions/users/new', class: 'button primary'}, 'Add New User')),
    grid('userGrid', 'Users', ['ID', 'User Name', 'First Name', 'Last Name', 'Email', 'Role', 'Status'],
      users.map((u) => h('tr', {},
        h('td', {}, String(u.id)),
        h('td', {}, h('a', {href: `#/permissions/users/${u.id}`}, u.username)),
        h('td', {}, u.firstname), h('td', {}, u.lastname), h('td', {}, u.email),
        h('td', {}, u.role || '—'), h('td', {}, u.is_active ? 'Active' : 'Inactive')))));
}

export async function userFormPage(id) {
  const [user, roles] = await Promise.all([id ? get(`/users/${id}`) : null, get('/roles')]);
  setTitle(user ? `Edit User '${user.username}'` : 'New User');
  const errors = h('div', {class: 'form-errors', role: 'alert'});
  const role = h('select', {name: 'role_id'}, roles.map((r) => h('option', {value: r.id}, r.name)));
  if (user && user.role_id) role.value = String(user.role_id);
  const current = h('input', {type: 'password', autocomplete: 'current-password'});
  const f = {};
  const info = user
    ? [h('p', {}, `User Name: ${user.username} · Email: ${user.email}`),
      field('Active', f.active = h('select', {}, h('option', {value: '1'}, 'Active'), h('option', {value: '0'}, 'Inactive')))]
    : [field('User Name', f.username = h('input', {type: 'text', maxlength: 40, autofocus: true}), null, true),
      field('First Name', f.firstname = h('input', {type: 'text'})),
      field('Last Name', f.lastname = h('input', {type: 'text'})),
      field('Email', f.email = h('input', {type: 'email'}), null, true),
      field('Password', f.password = h('input', {type: 'password', autocomplete: 'new-password'}),
        'Must be at least 7 characters, with both numeric and alphabetic characters.', true)];
  if (user) f.active.value = user.is_active ? '1' : '0';

  async function save() {
    if (!current.value) {
      replace(errors, h('p', {}, '"Your Password" is required. Enter and try again.'));
      current.focus();
      return;
    }
    try {
      const body = {role_id: Number(role.value), current_password: current.value};
      let res;
      if (user) {
        body.is_active = f.active.value === '1';
        res = await put(`/users/${user.id}`, body);
      } else {
        Object.assign(body, {username: f.username.value.trim(), firstname: f.firstname.value.trim(),
          lastname: f.lastname.value.trim(), email: f.email.value.trim(), password: f.password.value});
        res = await post('/users', body);
      }
      message('success', res.message, true);
      navigate('#/permissions/users');
    } catch (e) {
      current.value = '';
      replace(errors, h('p', {}, e.message));
    }
  }
  async function remove() {
    if (!await confirmDialog('Are you sure?', 'Are you sure you want to delete this user?')) return;
    try {
      const res = await del(`/users/${user.id}`);
      message('success', res.message, true);
      navigate('#/permissions/users');
    } catch (e) {
      replace(errors, h('p', {}, e.message));
    }
  }
  const self = user && state.session && user.id === state.session.user.id;
  return h('form', {novalidate: true, onsubmit: (e) => { e.preventDefault(); save(); }},
    h('div', {class: 'page-actions'},
      h('a', {href: '#/permissions/users', class: 'button secondary'}, 'Back'),
      user && !self ? h('button', {type: 'button', class: 'secondary', onclick: remove}, 'Delete User') : null,
      h('button', {type: 'submit', class: 'primary', id: 'save-user'}, 'Save User')),
    errors,
    h('fieldset', {}, h('legend', {}, 'Account Information'), info, field('User Role', role)),
    h('fieldset', {}, h('legend', {}, 'Current User Identity Verification'), field('Your Password', current, null, true)));
}

export async function rolesPage() {
  setTitle('Roles');
  const roles = await get('/roles');
  return h('div', {},
    h('div', {class: 'page-actions'}, h('a', {href: '#/permissions/roles/new', class: 'button primary'}, 'Add New Role')),
    grid('roleGrid', 'Roles', ['ID', 'Role', 'Resource Access', 'Users'],
      roles.map((r) => h('tr', {},
        h('td', {}, String(r.id)),
        h('td', {}, h('a', {href: `#/permissions/roles/${r.id}`}, r.name)),
        h('td', {}, r.resource_access === 'all' ? 'All' : `Custom (${r.resources.length})`),
        h('td', {}, String(r.users))))));
}

export async function roleFormPage(id) {
  const [role, tree] = await Promise.all([id ? get(`/roles/${id}`) : null, get('/acl/tree')]);
  setTitle(role ? `Edit Role '${role.name}'` : 'New Role');
  const errors = h('div', {class: 'form-errors', role: 'alert'});
  const name = h('input', {type: 'text', maxlength: 64, value: role ? role.name : '', autofocus: true});
  const access = h('select', {id: 'role-access'}, h('option', {value: '0'}, 'Custom'), h('option', {value: '1'}, 'All'));
  access.value = role && role.resource_access === 'all' ? '1' : '0';
  const t = resourceTree(tree, role ? role.resources : []);
  const treeField = h('div', {class: 'field'}, h('span', {class: 'label'}, 'Resources'), t.element);
  const sync = () => { treeField.hidden = access.value === '1'; };
  access.addEventListener('change', sync);
  sync();
  const current = h('input', {type: 'password', autocomplete: 'current-password'});

  async function save() {
    if (!name.value.trim() || !current.value) {
      replace(errors, h('p', {}, !name.value.trim() ? '"Role Name" is required. Enter and try again.' : '"Your Password" is required. Enter and try again.'));
      (!name.value.trim() ? name : current).focus();
      return;
    }
    const body = {name: name.value.trim(), all_resources: access.value === '1',
      resources: access.value === '1' ? [] : t.selected(), current_password: current.value};
    try {
      const res = role ? await put(`/roles/${role.id}`, body) : await post('/roles', body);
      message('success', res.message, true);
      navigate('#/permissions/roles');
    } catch (e) {
      current.value = '';
      replace(errors, h('p', {}, e.message));
    }
  }
  async function remove() {
    if (!await confirmDialog('Are you sure?', 'Are you sure you want to delete this role?')) return;
    try {
      const res = await del(`/roles/${role.id}`);
      message('success', res.message, true);
      navigate('#/permissions/roles');
    } catch (e) {
      replace(errors, h('p', {}, e.message));
    }
  }
  return h('form', {novalidate: true, onsubmit: (e) => { e.preventDefault(); save(); }},
    h('div', {class: 'page-actions'},
      h('a', {href: '#/permissions/roles', class: 'button secondary'}, 'Back'),
      role ? h('button', {type: 'button', class: 'secondary', onclick: remove}, 'Delete Role') : null,
      h('button', {type: 'submit', class: 'primary', id: 'save-role'}, 'Save Role')),
    errors,
    h('fieldset', {}, h('legend', {}, 'Role Information'), field('Role Name', name, null, true)),
    h('fieldset', {}, h('legend', {}, 'Role Resources'), field('Resource Access', access), treeField),
    h('fieldset', {}, h('legend', {}, 'Current User Identity Verification'), field('Your Password', current, null, true)));
}
