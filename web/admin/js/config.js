// Stores > Configuration > Services: Magento Web API (Web API Security) and OAuth, with Magento's
// labels and comments (reference section 10) and storegate's own OAuth settings. Saving takes
// effect at once on every node.
import {get, put} from './api.js';
import {h, replace, field} from './dom.js';
import {setTitle, message, navigate} from './app.js';

const YESNO = [['1', 'Yes'], ['0', 'No']];

const SECTIONS = {
  webapi: {
    title: 'Magento Web API',
    groups: [
      {title: 'Web API Security', fields: [
        {path: 'webapi/webapisecurity/allow_insecure', label: 'Allow Anonymous Guest Access', options: YESNO,
          note: 'This feature applies only to CMS, Catalog and Store APIs. Please consult your developers for details on potential security risks.'},
      ]},
    ],
  },
  oauth: {
    title: 'OAuth',
    groups: [
      {title: 'Access Token Expiration', fields: [
        {path: 'oauth/access_token_lifetime/customer', label: 'Customer Token Lifetime (hours)', note: 'We will disable this feature if the value is empty.'},
        {path: 'oauth/access_token_lifetime/admin', label: 'Admin Token Lifetime (hours)', note: 'We will disable this feature if the value is empty.'},
      ]},
      {title: 'Cleanup Settings', fields: [
        {path: 'oauth/cleanup/cleanup_probability', label: 'Cleanup Probability', note: 'Integer. Launch cleanup in X OAuth requests. 0 (not recommended) - to disable cleanup'},
        {path: 'oauth/cleanup/expiration_period', label: 'Expiration Period', note: 'Cleanup entries older than X minutes.'},
      ]},
      {title: 'Consumer Settings', fields: [
        {path: 'oauth/consumer/expiration_period', label: 'Expiration Period', note: 'Consumer key/secret will expire if not used within X seconds after Oauth token exchange starts.'},
        {path: 'oauth/consumer/post_maxredirects', label: 'OAuth consumer credentials HTTP Post maxredirects', note: 'Number of maximum redirects for OAuth consumer credentials Post request.'},
        {path: 'oauth/consumer/post_timeout', label: 'OAuth consumer credentials HTTP Post timeout', note: 'Timeout for OAuth consumer credentials Post request within X seconds.'},
        {path: 'oauth/consumer/enable_integration_as_bearer', label: 'Allow OAuth Access Tokens to be used as standalone Bearer tokens', options: YESNO},
      ]},
      {title: 'Authentication Locks', fields: [
        {path: 'oauth/authentication_lock/max_failures_count', label: 'Maximum Login Failures to Lock Out Account', note: 'Maximum Number of authentication failures to lock out account.'},
        {path: 'oauth/authentication_lock/timeout', label: 'Lockout Time (seconds)', note: 'Period of time in seconds after which account will be unlocked.'},
      ]},
      {title: 'Signatures (storegate)', fields: [
        {path: 'oauth/signature_methods', label: 'Signature Methods', methods: ['HMAC-SHA256', 'HMAC-SHA1'],
          note: 'Magento 2.4.4 and later accept only HMAC-SHA256; clients written for Magento 2.1-2.4.3 sign with HMAC-SHA1.'},
        {path: 'oauth/timestamp_window', label: 'Timestamp Window (seconds)', note: 'Signed requests whose oauth_timestamp is further than this from the store clock are refused.'},
      ]},
    ],
  },
};

export async function configPage(section) {
  setTitle('Configuration');
  const cfg = await get('/config');
  const values = cfg.values;
  const def = SECTIONS[section];
  const controls = [];
  const errors = h('div', {class: 'form-errors', role: 'alert'});

  const groups = def.groups.map((g) => {
    const rows = g.fields.filter((f) => f.path in values).map((f) => {
      let control;
      let read;
      if (f.options) {
        control = h('select', {name: f.path}, f.options.map(([v, t]) => h('option', {value: v}, t)));
        control.value = values[f.path] === '1' ? '1' : '0';
        read = () => control.value;
      } else if (f.methods) {
        const on = new Set(values[f.path].split(',').map((s) => s.trim()));
        const boxes = f.methods.map((m) => h('label', {class: 'inline'},
          h('input', {type: 'checkbox', value: m, checked: on.has(m), name: f.path}), ' ', m));
        control = h('div', {class: 'checks', role: 'group', 'aria-label': f.label}, boxes);
        read = () => [...control.querySelectorAll('input:checked')].map((b) => b.value).join(',');
        controls.push({f, read, control: null});
        return h('div', {class: 'field'}, h('span', {class: 'label'}, f.label), control,
          f.note ? h('p', {class: 'note'}, f.note) : null);
      } else {
        control = h('input', {type: 'text', inputmode: 'numeric', pattern: '[0-9]*', name: f.path, value: values[f.path], required: true});
        read = () => control.value.trim();
      }
      controls.push({f, read, control});
      return field(f.label, control, f.note);
    });
    return rows.length ? h('fieldset', {class: 'config-group'}, h('legend', {}, g.title), rows) : null;
  }).filter(Boolean);

  async function save() {
    const body = {};
    const bad = [];
    for (const {f, read, control} of controls) {
      const v = read();
      if (control && control.inputMode === 'numeric' && !/^\d+$/.test(v)) bad.push(`${f.label}: enter a whole number of 0 or more.`);
      if (f.methods && !v) bad.push(`${f.label}: choose at least one method.`);
      body[f.path] = v;
    }
    replace(errors, bad.map((t) => h('p', {}, t)));
    if (bad.length) return;
    try {
      const res = await put('/config', {values: body});
      message('success', res.message, true);
      navigate(`#/config/${section}`);
    } catch (e) {
      replace(errors, h('p', {}, e.message));
    }
  }

  const nav = h('nav', {class: 'config-nav', 'aria-label': 'Configuration sections'},
    h('h2', {}, 'Services'),
    h('ul', {}, Object.entries(SECTIONS).map(([key, s]) =>
      h('li', {}, h('a', {href: `#/config/${key}`, 'aria-current': key === section ? 'page' : undefined,
        class: key === section ? 'active' : ''}, s.title)))));
  return h('div', {class: 'config-page'}, nav,
    h('form', {class: 'config-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); save(); }},
      h('div', {class: 'page-actions'}, h('button', {type: 'submit', class: 'primary', id: 'save-config'}, 'Save Config')),
      h('h2', {}, def.title), errors,
      groups.length ? groups : h('p', {}, 'Sorry, you need permissions to view this content.')));
}
