// System > Extensions > Integrations: the grid, the two-tab form, activation with the permissions
// dialog, the identity-link popup and the tokens dialog (reference section 2), plus storegate's
// test-callback button and activation log.
import {get, post, put, del} from './api.js';
import {h, replace, field, dialog, confirmDialog, uid} from './dom.js';
import {setTitle, message, navigate, failure} from './app.js';
import {resourceTree, grantedTree} from './tree.js';

const SUCCESS_PATH = '/admin/integrations/success';
const INSECURE_WARNING = 'Warning! Integrations not using HTTPS are insecure and potentially expose private or personally identifiable information';
const STATUS = {0: 'Inactive', 1: 'Active', 2: 'Reset'};

let aclTree = null;
async function tree() {
  if (!aclTree) aclTree = await get('/acl/tree');
  return aclTree;
}

// --- the grid ---

export async function integrationsPage() {
  setTitle('Integrations');
  const list = await get('/integrations');
  const nameFilter = h('input', {type: 'search', id: 'filter-name', placeholder: 'Name'});
  const statusFilter = h('select', {id: 'filter-status'},
    h('option', {value: ''}, 'Any'),
    Object.entries(STATUS).map(([v, t]) => h('option', {value: v}, t)));
  const body = h('tbody');
  const count = h('p', {class: 'grid-count', 'aria-live': 'polite'});

  function render() {
    const q = nameFilter.value.trim().toLowerCase();
    const st = statusFilter.value;
    const rows = list.filter((it) => (!q || it.name.toLowerCase().includes(q)) &&
      (st === '' || String(it.status) === st));
    count.textContent = `${rows.length} records found`;
    if (!rows.length) {
      replace(body, h('tr', {}, h('td', {colspan: 7, class: 'empty'}, "We couldn't find any records.")));
      return;
    }
    replace(body, rows.map((it) => h('tr', {dataset: {id: it.id}},
      h('td', {class: 'col-name'}, it.name,
        it.insecure ? h('span', {class: 'icon-error', title: 'Integration not secure'}, h('span', {class: 'visually-hidden'}, 'Integration not secure')) : null),
      h('td', {}, it.email || ''),
      h('td', {class: 'col-status'}, STATUS[it.status] || it.status_label),
      h('td', {}, it.last_used_at || 'Never'),
      h('td', {}, h('button', {type: 'button', class: 'link action-activate', onclick: () => activate(it)},
        it.status === 1 ? 'Reauthorize' : 'Activate')),
      h('td', {}, h('a', {href: `#/integrations/${it.id}`, class: 'action-edit', 'aria-label': `Edit ${it.name}`},
        it.setup_type ? 'View' : 'Edit')),
      h('td', {}, h('button', {type: 'button', class: 'link action-delete', disabled: !!it.setup_type,
        title: it.setup_type ? 'Uninstall the extension to remove this integration' : 'Remove',
        'aria-label': `Remove ${it.name}`, onclick: () => remove(it)}, 'Remove')))));
  }
  nameFilter.addEventListener('input', render);
  statusFilter.addEventListener('change', render);
  render();

  return h('div', {class: 'grid-page'},
    list.some((it) => it.insecure) ? h('div', {class: 'message message-warning', role: 'note'}, INSECURE_WARNING) : null,
    h('div', {class: 'page-actions'},
      h('a', {href: '#/integrations/new', class: 'button primary', id: 'add-integration'}, 'Add New Integration')),
    h('div', {class: 'filters', role: 'search'},
      field('Name', nameFilter), field('Status', statusFilter)),
    count,
    h('div', {class: 'table-wrap'},
      h('table', {class: 'grid', id: 'integrationGrid'},
        h('caption', {class: 'visually-hidden'}, 'Integrations'),
        h('thead', {}, h('tr', {},
          h('th', {scope: 'col'}, 'Name'), h('th', {scope: 'col'}, 'Email'), h('th', {scope: 'col'}, 'Status'),
          h('th', {scope: 'col'}, 'Last Used'), h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, 'Activate')),
          h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, 'Edit')),
          h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, 'Remove')))),
        body)));
}

async function remove(it) {
  const ok = await confirmDialog('Are you sure?', "Are you sure you want to delete this integration? You can't undo this action.");
  if (!ok) return;
  try {
    await del(`/integrations/${it.id}`);
    message('success', `The integration '${it.name}' has been deleted.`, true);
  } catch (e) {
    message('error', e.message, true);
  }
  navigate('#/integrations');
}

// --- activation ---

function successUrl() {
  return location.origin + SUCCESS_PATH;
}

function describeCallback(cb) {
  if (!cb) return null;
  if (!cb.delivered) return `The Callback URL ${cb.url} could not be reached: ${cb.error}.`;
  let text = `The Callback URL ${cb.url} answered HTTP ${cb.http_status} in ${cb.latency_ms} ms.`;
  if (cb.warning) text += ' ' + cb.warning;
  return text;
}

/** The permissions dialog, then the activation; resolves when it is over. */
export async function activate(it) {
  const reauthorize = it.status !== 0;
  let granted;
  try {
    const all = await tree();
    granted = it.resource_access === 'all' ? all : grantedTree(all, it.resources);
  } catch (e) {
    message('error', e.message);
    return;
  }
  const list = granted.length
    ? resourceTree(granted, [], {readOnly: true, label: 'Requested resources'}).element
    : h('p', {}, 'No permissions requested');
  return new Promise((resolve) => {
    let allowed = false;
    const allow = async () => {
      allowed = true;
      // The identity-link popup must open inside the click (popup blockers): a blank window
      // now, sent to the identity link once the store has posted the credentials.
      const popup = it.endpoint && it.identity_link_url
        ? window.open('about:blank', 'storegate-identity-link', 'width=680,height=510,scrollbars=yes')
        : null;
      dlg.close();
      await exchange(it, reauthorize, popup);
      resolve(true);
    };
    const dlg = dialog(it.name, [
      h('p', {}, 'The integration you selected asks you to approve access to the following:'),
      h('h3', {}, 'API'),
      it.resource_access === 'all' ? h('p', {class: 'note'}, 'Resource Access: All') : null,
      list,
    ], [
      h('button', {type: 'button', class: 'secondary', onclick: () => dlg.close()}, 'Cancel'),
      h('button', {type: 'button', class: 'primary', id: 'permissions-allow', onclick: allow},
        reauthorize ? 'Reauthorize' : 'Allow'),
    ], {className: 'permissions-dialog'});
    dlg.addEventListener('close', () => { if (!allowed) resolve(false); });
  });
}

async function exchange(it, reauthorize, popup) {
  const busy = dialog(reauthorize ? 'Reauthorizing' : 'Activating',
    h('p', {role: 'status'}, it.endpoint ? `Sending the credentials to ${it.endpoint}…` : 'Creating the access token…'),
    [], {closable: false});
  let res;
  try {
    res = await post(`/integrations/${it.id}/${reauthorize ? 'reauthorize' : 'activate'}`,
      {success_call_back: successUrl()});
  } catch (e) {
    busy.close();
    if (popup) popup.close();
    message('error', e.message, true);
    navigate('#/integrations');
    return;
  }
  busy.close();
  const cbText = describeCallback(res.callback);
  if (res.tokens) {
    // the manual path (no Callback URL): the four values now
    message('success', res.message, true);
    await tokensDialog(it.name, res.tokens);
    navigate('#/integrations');
    return;
  }
  if (res.identity_link) {
    if (!popup || popup.closed) popup = window.open(res.identity_link, 'storegate-identity-link', 'width=680,height=510,scrollbars=yes');
    else popup.location.href = res.identity_link;
    if (!popup) {
      message('error', 'Popup Blocker is enabled! Please add this site to your exception list.', true);
      navigate('#/integrations');
      return;
    }
    const how = await watchPopup(popup);
    const now = await get(`/integrations/${it.id}`).catch(() => null);
    if (now && now.status === 1) {
      message('success', `The integration '${it.name}' has been ${reauthorize ? 're-authorized' : 'activated'}.`, true);
      if (cbText) message('notice', cbText, true);
      const tokens = await get(`/integrations/${it.id}/tokens`).catch(() => null);
      if (tokens) await tokensDialog(it.name, tokens);
    } else {
      message('notice', res.message, true);
      if (cbText) message('notice', cbText, true);
      message('warning', how === 'closed'
        ? 'The third-party window was closed before the integration became Active: the third party has not finished the token exchange yet.'
        : 'The third party sent the window back, but the integration is not Active yet: it has not finished the token exchange.', true);
    }
    navigate('#/integrations');
    return;
  }
  message('success', res.message, true);
  if (cbText) message('notice', cbText, true);
  navigate('#/integrations');
}

/** Waits for the popup to come back to the success callback or to be closed (Magento polls every
 * 500 ms); resolves 'returned' or 'closed'. */
function watchPopup(popup) {
  return new Promise((resolve) => {
    const wait = dialog('Integration setup',
      [h('p', {}, 'Please setup or sign in into your 3rd party account to complete setup of this integration.'),
        h('p', {class: 'note'}, 'This window closes by itself when the third party sends you back.')],
      [h('button', {type: 'button', class: 'secondary', id: 'popup-stop', onclick: () => { popup.close(); }}, 'Stop waiting')],
      {closable: false, className: 'popup-wait'});
    const timer = setInterval(() => {
      let how = null;
      if (popup.closed) {
        how = 'closed';
      } else {
        try {
          if (popup.location.href.split('?')[0] === successUrl()) how = 'returned';
        } catch {
          // another origin (the third party's page): not readable, keep waiting
        }
      }
      if (how) {
        clearInterval(timer);
        if (!popup.closed) popup.close();
        wait.close();
        resolve(how);
      }
    }, 500);
  });
}

/** "Integration Tokens for Extensions": the four values, each with a copy button. */
export function tokensDialog(name, t) {
  const rows = [
    ['Consumer Key', t.consumer_key], ['Consumer Secret', t.consumer_secret],
    ['Access Token', t.access_token], ['Access Token Secret', t.access_token_secret],
  ].map(([label, value]) => {
    const input = h('input', {type: 'text', readonly: true, value: value || '', class: 'token', dataset: {token: label}});
    const status = h('span', {class: 'copy-status', 'aria-live': 'polite'});
    const copy = h('button', {type: 'button', class: 'secondary copy', 'aria-label': `Copy ${label}`, onclick: async () => {
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        input.select();
        document.execCommand('copy');
      }
      status.textContent = 'Copied';
      setTimeout(() => { status.textContent = ''; }, 2000);
    }}, 'Copy');
    const id = uid('tok');
    input.id = id;
    return h('div', {class: 'field token-field'}, h('label', {for: id}, label),
      h('div', {class: 'with-button'}, input, copy, status));
  });
  return new Promise((resolve) => {
    const dlg = dialog(`Integration Tokens for Extensions: ${name}`, rows,
      [h('button', {type: 'button', class: 'primary', onclick: () => dlg.close()}, 'Done')],
      {className: 'tokens-dialog'});
    dlg.addEventListener('close', () => resolve());
  });
}

// --- the form ---

function tabs(defs) {
  const list = h('div', {role: 'tablist', class: 'tabs', 'aria-label': 'Basic Settings'});
  const panels = [];
  const buttons = defs.map((d, i) => {
    const tabId = uid('tab');
    const panelId = uid('panel');
    const panel = h('section', {role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, hidden: i !== 0, tabindex: '0'}, d.content);
    panels.push(panel);
    const b = h('button', {type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId,
      'aria-selected': String(i === 0), tabindex: i === 0 ? '0' : '-1', dataset: {tab: d.key}}, d.title);
    return b;
  });
  function select(i) {
    buttons.forEach((b, k) => {
      b.setAttribute('aria-selected', String(k === i));
      b.tabIndex = k === i ? 0 : -1;
      panels[k].hidden = k !== i;
    });
    buttons[i].focus();
  }
  buttons.forEach((b, i) => {
    b.addEventListener('click', () => select(i));
    b.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight') select((i + 1) % buttons.length);
      if (e.key === 'ArrowLeft') select((i + buttons.length - 1) % buttons.length);
    });
  });
  replace(list, buttons);
  return {element: h('div', {class: 'tabbed'}, list, panels), select};
}

function validUrl(v) {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export async function integrationFormPage(id) {
  const it = id ? await get(`/integrations/${id}`) : null;
  const all = await tree();
  const readOnly = !!(it && it.setup_type);
  setTitle(it ? (readOnly ? `View "${it.name}" Integration` : `Edit "${it.name}" Integration`) : 'New Integration');

  const name = h('input', {type: 'text', name: 'name', maxlength: 255, value: it ? it.name : '', autofocus: true, disabled: readOnly});
  const email = h('input', {type: 'email', name: 'email', maxlength: 254, value: it ? it.email || '' : '', disabled: readOnly});
  const endpoint = h('input', {type: 'url', name: 'endpoint', value: it ? it.endpoint || '' : '', disabled: readOnly});
  const identity = h('input', {type: 'url', name: 'identity_link_url', value: it ? it.identity_link_url || '' : '', disabled: readOnly});
  const password = h('input', {type: 'password', name: 'current_password', autocomplete: 'current-password', disabled: readOnly});
  const access = h('select', {name: 'all_resources', id: 'all-resources', disabled: readOnly},
    h('option', {value: '0'}, 'Custom'), h('option', {value: '1'}, 'All'));
  access.value = it && it.resource_access === 'all' ? '1' : '0';
  const resTree = resourceTree(all, it ? it.resources : []);
  const treeField = h('div', {class: 'field', id: 'resources-field'}, h('span', {class: 'label', id: 'resources-label'}, 'Resources'), resTree.element);
  const syncTree = () => { treeField.hidden = access.value === '1'; };
  access.addEventListener('change', syncTree);
  syncTree();
  const errors = h('div', {class: 'form-errors', role: 'alert'});

  const info = [
    h('fieldset', {}, h('legend', {}, 'General'),
      field('Name', name, null, true),
      field('Email', email),
      field('Callback URL', endpoint, 'Enter URL where Oauth credentials can be sent when using Oauth for token exchange. We strongly recommend using https://.'),
      field('Identity link URL', identity, 'URL to redirect user to link their 3rd party account with this Magento integration credentials.')),
    h('fieldset', {}, h('legend', {}, 'Current User Identity Verification'),
      field('Your Password', password, null, true)),
  ];
  const api = [h('fieldset', {}, h('legend', {}, 'Available APIs'), field('Resource Access', access), treeField)];
  const t = tabs([{key: 'info', title: 'Integration Info', content: info}, {key: 'api', title: 'API', content: api}]);

  function problems() {
    const out = [];
    if (!name.value.trim()) out.push(['"Name" is required. Enter and try again.', name]);
    if (email.value && !email.checkValidity()) out.push(['Please enter a valid email address (Ex: johndoe@domain.com).', email]);
    for (const [el, label] of [[endpoint, 'Callback URL'], [identity, 'Identity link URL']]) {
      if (el.value && !validUrl(el.value.trim())) out.push([`The ${label} must be an absolute http:// or https:// URL.`, el]);
    }
    if (!password.value) out.push(['"Your Password" is required. Enter and try again.', password]);
    return out;
  }

  async function save(andActivate) {
    const found = problems();
    replace(errors, found.map(([text]) => h('p', {}, text)));
    [name, email, endpoint, identity, password].forEach((el) => el.removeAttribute('aria-invalid'));
    if (found.length) {
      found.forEach(([, el]) => el.setAttribute('aria-invalid', 'true'));
      t.select(0);
      found[0][1].focus();
      return;
    }
    const body = {
      name: name.value.trim(), email: email.value.trim(), endpoint: endpoint.value.trim(),
      identity_link_url: identity.value.trim(), all_resources: access.value === '1',
      resources: access.value === '1' ? [] : resTree.selected(), current_password: password.value,
    };
    try {
      const res = it ? await put(`/integrations/${it.id}`, body) : await post('/integrations', body);
      password.value = '';
      message('success', res.message, true);
      (res.warnings || []).forEach((w) => message('warning', w, true));
      if (andActivate) {
        navigate('#/integrations');
        await activate(res.integration);
      } else {
        navigate('#/integrations');
      }
    } catch (e) {
      password.value = '';
      replace(errors, h('p', {}, e.message));
      if (e.status === 401 && /temporarily disabled/.test(e.message)) {
        location.assign('/admin/login?expired=1');
      }
    }
  }

  const buttons = h('div', {class: 'page-actions'},
    h('a', {href: '#/integrations', class: 'button secondary'}, 'Back'),
    readOnly ? null : h('button', {type: 'button', class: 'primary', id: 'save', onclick: () => save(false)}, 'Save'),
    !it && !readOnly ? h('button', {type: 'button', class: 'secondary', id: 'save-activate', onclick: () => save(true)}, 'Save & Activate') : null);

  const extra = it ? await details(it) : null;
  return h('form', {class: 'integration-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); save(false); }},
    buttons, errors, t.element, extra);
}

async function details(it) {
  const result = h('div', {class: 'test-result', 'aria-live': 'polite'});
  const logBody = h('tbody');
  async function loadLog() {
    try {
      const log = await get(`/integrations/${it.id}/log`);
      replace(logBody, log.length ? log.map((l) => h('tr', {}, h('td', {}, l.at), h('td', {}, l.event), h('td', {}, l.admin || ''), h('td', {}, l.detail)))
        : h('tr', {}, h('td', {colspan: 4, class: 'empty'}, "We couldn't find any records.")));
    } catch (e) {
      replace(logBody, h('tr', {}, h('td', {colspan: 4}, e.message)));
    }
  }
  await loadLog();
  const test = h('button', {type: 'button', class: 'secondary', id: 'test-callback', disabled: !it.endpoint, onclick: async () => {
    test.disabled = true;
    result.textContent = 'Posting a test to the Callback URL…';
    try {
      const cb = await post(`/integrations/${it.id}/test-callback`);
      result.textContent = describeCallback(cb);
      result.className = 'test-result ' + (cb.delivered && !cb.warning ? 'ok' : 'bad');
    } catch (e) {
      result.textContent = e.message;
      result.className = 'test-result bad';
    }
    test.disabled = false;
    loadLog();
  }}, 'Test Callback');
  const tokens = h('button', {type: 'button', class: 'secondary', id: 'show-tokens', onclick: async () => {
    try {
      await tokensDialog(it.name, await get(`/integrations/${it.id}/tokens`));
      loadLog();
    } catch (e) {
      message('error', e.message);
    }
  }}, 'Show Tokens');
  return h('section', {class: 'integration-details', 'aria-labelledby': 'details-title'},
    h('h2', {id: 'details-title'}, 'Integration Details'),
    h('p', {}, 'Status: ', h('strong', {id: 'integration-status'}, STATUS[it.status]),
      it.last_used_at ? ` · last used ${it.last_used_at} (${it.request_count} requests)` : ' · never used'),
    h('div', {class: 'page-actions'},
      h('button', {type: 'button', class: 'secondary', id: 'activate', onclick: () => activate(it)}, it.status === 1 ? 'Reauthorize' : 'Activate'),
      tokens, test),
    result,
    h('h3', {}, 'Activation Log'),
    h('div', {class: 'table-wrap'}, h('table', {class: 'grid', id: 'activation-log'},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'When (UTC)'), h('th', {scope: 'col'}, 'Event'), h('th', {scope: 'col'}, 'Admin'), h('th', {scope: 'col'}, 'Detail'))),
      logBody)));
}

export {failure};
