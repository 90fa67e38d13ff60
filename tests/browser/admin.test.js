// The admin panel in headless chromium: sign-in and lock-out, an integration's whole life against
// the example third-party app (identity-link popup included), the configuration, roles, CSRF and
// XSS. Every test starts its own store; screenshots of each screen go to screenshots/.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {Store, launch, shot, signIn, thirdPartyApp, python} from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function withStore(fn, viewport = {width: 1280, height: 900}) {
  const store = await new Store().start();
  const context = await browser.newContext({viewport});
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await fn({store, page, context});
    assert.deepEqual(errors, [], 'no script errors in the page');
  } finally {
    await context.close();
    assert.equal(await store.stop(), 0, 'storegate exits 0 on SIGTERM');
  }
}

/** A link of the sidebar menu. */
const menu = (page, name) => page.locator('#menu').getByRole('link', {name, exact: true});

const BAD_SIGN_IN = 'The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.';

test('sign in: wrong password, right password, sign out, lock-out after 6 failures', () => withStore(async ({store, page}) => {
  await page.goto(new URL('/admin/', store.url).href);
  await page.waitForURL(/\/admin\/login/); // no session: the panel sends to the sign-in page
  await shot(page, '01-sign-in');
  const headers = (await page.request.get(new URL('/admin/login', store.url).href)).headers();
  assert.match(headers['content-security-policy'], /script-src 'self'/);
  assert.doesNotMatch(headers['content-security-policy'], /unsafe-inline/);
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.equal(headers['x-content-type-options'], 'nosniff');

  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('wrong-password-1');
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('alert').filter({hasText: BAD_SIGN_IN}).waitFor();
  await shot(page, '02-sign-in-refused');

  // user names are case-insensitive
  await signIn(page, store, 'ADMIN', store.adminPassword);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'storegate_admin');
  assert.ok(session, 'a session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(session.path, '/admin');
  await page.getByRole('heading', {name: 'Integrations'}).waitFor();
  await shot(page, '03-dashboard');

  await page.getByRole('button', {name: 'Sign Out'}).click();
  await page.waitForURL(/\/admin\/login\?signed-out/);
  await page.getByText('You have logged out.').waitFor();
  // the old cookie no longer opens anything
  const after = await page.request.get(new URL('/admin/api/dashboard', store.url).href, {
    headers: {Cookie: `storegate_admin=${session.value}`},
  });
  assert.equal(after.status(), 401);

  for (let i = 0; i < 6; i++) {
    await page.getByLabel('Username').fill('Admin');
    await page.getByLabel('Password').fill(`wrong-${i}-password`);
    const answer = page.waitForResponse((r) => r.url().endsWith('/admin/api/session') && r.request().method() === 'POST');
    await page.getByRole('button', {name: 'Sign in'}).click();
    assert.equal((await answer).status(), 401);
    await page.getByRole('alert').filter({hasText: BAD_SIGN_IN}).waitFor();
  }
  // locked: the right password is refused too, for admin/security/lockout_threshold minutes
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(store.adminPassword);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('alert').filter({hasText: BAD_SIGN_IN}).waitFor();
  await page.waitForTimeout(300);
  assert.match(page.url(), /\/admin\/login/);
  await shot(page, '04-sign-in-locked');
  assert.match(store.cli('admin:user:unlock', 'admin'), /Unlocked admin user admin/);
  await signIn(page, store);
}));

test('integration: Custom resources, activation with the identity-link popup, tokens, signed call, reauthorize, delete', () => withStore(async ({store, page}) => {
  const app = await thirdPartyApp();
  try {
    await signIn(page, store);
    await menu(page, 'Integrations').click();
    await page.getByText("We couldn't find any records.").waitFor();
    await page.getByRole('link', {name: 'Add New Integration'}).click();
    await page.getByRole('heading', {name: 'New Integration'}).waitFor();

    // client-side validation first
    await page.getByRole('button', {name: 'Save', exact: true}).click();
    await page.getByText('"Name" is required. Enter and try again.').waitFor();

    await page.getByLabel('Name', {exact: true}).fill('Partner');
    await page.getByLabel('Email', {exact: true}).fill('partner@example.com');
    await page.getByLabel('Callback URL').fill(app.callback);
    await page.getByLabel('Identity link URL').fill(app.login);
    await page.getByText('We strongly recommend using https://.').waitFor();
    await shot(page, '05-integration-form-info');

    await page.getByRole('tab', {name: 'API'}).click();
    assert.equal(await page.getByLabel('Resource Access').inputValue(), '0'); // Custom
    // ticking a parent ticks its children
    const stores = page.locator('li[data-resource="Magento_Backend::stores"]');
    await stores.locator('> .tree-row input[type=checkbox]').check();
    assert.equal(await page.locator('li[data-resource="Magento_Backend::store"] > .tree-row input').isChecked(), true);
    assert.equal(await page.locator('li[data-resource="Magento_Config::config"] > .tree-row input').isChecked(), true);
    // collapse and expand a branch
    await stores.locator('> .tree-row button.twisty').click();
    assert.equal(await page.locator('li[data-resource="Magento_Backend::store"]').isVisible(), false);
    await stores.locator('> .tree-row button.twisty').click();
    assert.equal(await page.locator('li[data-resource="Magento_Backend::store"]').isVisible(), true);
    await shot(page, '06-integration-form-api');

    // the password is checked by the server
    await page.getByRole('tab', {name: 'Integration Info'}).click();
    await page.getByLabel('Your Password').fill('not-my-password-1');
    await page.getByRole('button', {name: 'Save', exact: true}).click();
    await page.getByText('You have entered an invalid password for current user.').waitFor();
    await page.getByLabel('Your Password').fill(store.adminPassword);
    await page.getByRole('button', {name: 'Save', exact: true}).click();
    await page.getByText("The integration 'Partner' has been saved.").waitFor();
    await page.getByText('Warning! Integrations not using HTTPS are insecure').waitFor();
    const row = page.locator('#integrationGrid tbody tr', {hasText: 'Partner'});
    assert.equal(await row.locator('.col-status').textContent(), 'Inactive');
    await shot(page, '07-integrations-grid');

    // filters
    await page.getByLabel('Name').fill('nomatch');
    await page.getByText("We couldn't find any records.").waitFor();
    await page.getByLabel('Name').fill('part');
    await page.getByLabel('Status').selectOption('1');
    await page.getByText("We couldn't find any records.").waitFor();
    await page.getByLabel('Status').selectOption('');
    await row.waitFor();

    // Activate: the permissions dialog lists what was ticked
    await row.getByRole('button', {name: 'Activate'}).click();
    const perms = page.locator('dialog.permissions-dialog');
    await perms.getByText('The integration you selected asks you to approve access to the following:').waitFor();
    await perms.getByText('All Stores').waitFor();
    assert.equal(await perms.getByText('Sales', {exact: true}).count(), 0);
    await shot(page, '08-permissions-dialog');
    const popupPromise = page.waitForEvent('popup');
    await perms.getByRole('button', {name: 'Allow'}).click();
    const popup = await popupPromise;
    await popup.waitForURL(/\/login\?oauth_consumer_key=[a-z0-9]{32}&success_call_back=/);
    assert.match(decodeURIComponent(popup.url()), new RegExp(`success_call_back=${store.url}admin/integrations/success`));
    await page.getByText('Please setup or sign in into your 3rd party account').waitFor();
    await shot(page, '09-waiting-for-popup');
    await shot(popup, '10-third-party-login');
    await popup.getByLabel('Email').fill('merchant@example.com');
    await popup.getByLabel('Password').fill('demo-password');
    await popup.getByRole('button', {name: 'Sign in and link my store'}).click();

    // the app exchanged the tokens and sent the popup back: the panel shows the tokens
    const tokensDlg = page.locator('dialog.tokens-dialog');
    await tokensDlg.waitFor({timeout: 15000});
    const tokens = {};
    for (const label of ['Consumer Key', 'Consumer Secret', 'Access Token', 'Access Token Secret']) {
      tokens[label] = await tokensDlg.getByLabel(label, {exact: true}).inputValue();
      assert.match(tokens[label], /^[a-z0-9]{32}$/, label);
      await tokensDlg.getByRole('button', {name: `Copy ${label}`, exact: true}).waitFor();
    }
    await tokensDlg.getByRole('button', {name: 'Copy Consumer Secret', exact: true}).click();
    await tokensDlg.getByText('Copied').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), tokens['Consumer Secret']);
    await shot(page, '11-tokens-dialog');
    await tokensDlg.getByRole('button', {name: 'Done'}).click();
    await page.getByText("The integration 'Partner' has been activated.").waitFor();
    assert.equal(await row.locator('.col-status').textContent(), 'Active');

    // the tokens sign a call (an independent OAuth 1.0a client)
    const signedCall = (t) => python(`
import sys, requests
from requests_oauthlib import OAuth1
auth = OAuth1(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], signature_method='HMAC-SHA256')
r = requests.get(sys.argv[5] + 'rest/V1/store/storeViews', auth=auth, timeout=10)
print(r.status_code)
`, [t['Consumer Key'], t['Consumer Secret'], t['Access Token'], t['Access Token Secret'], store.url]).trim();
    assert.equal(signedCall(tokens), '200');

    // the edit page: details, test callback, activation log
    await row.getByRole('link', {name: 'Edit Partner'}).click();
    await page.getByRole('heading', {name: 'Edit "Partner" Integration'}).waitFor();
    await page.getByRole('button', {name: 'Test Callback'}).click();
    await page.getByText(/answered HTTP 200 in \d+ ms/).waitFor();
    await page.locator('#activation-log').getByText('test callback').first().waitFor();
    await shot(page, '12-integration-edit');

    // Reauthorize: new tokens through the popup again; the old access token stops working
    await menu(page, 'Integrations').click();
    await row.getByRole('button', {name: 'Reauthorize'}).click();
    const popup2Promise = page.waitForEvent('popup');
    await page.locator('dialog.permissions-dialog').getByRole('button', {name: 'Reauthorize'}).click();
    const popup2 = await popup2Promise;
    await popup2.waitForURL(/\/login\?/);
    await popup2.getByLabel('Email').fill('merchant@example.com');
    await popup2.getByLabel('Password').fill('demo-password');
    await popup2.getByRole('button', {name: 'Sign in and link my store'}).click();
    await tokensDlg.waitFor({timeout: 15000});
    const newToken = await tokensDlg.getByLabel('Access Token', {exact: true}).inputValue();
    assert.notEqual(newToken, tokens['Access Token']);
    await tokensDlg.getByRole('button', {name: 'Done'}).click();
    await page.getByText("The integration 'Partner' has been re-authorized.").waitFor();
    assert.equal(signedCall(tokens), '401');

    // Delete, with the confirmation
    await row.getByRole('button', {name: 'Remove Partner'}).click();
    await page.getByText("Are you sure you want to delete this integration? You can't undo this action.").waitFor();
    await shot(page, '13-delete-confirmation');
    await page.getByRole('button', {name: 'OK'}).click();
    await page.getByText("The integration 'Partner' has been deleted.").waitFor();
    await page.getByText("We couldn't find any records.").waitFor();
  } finally {
    await app.stop();
  }
}));

test('activation failure explains the callback result', () => withStore(async ({store, page}) => {
  await signIn(page, store);
  const port = (await import('./harness.js')).freePort;
  const closed = await port(); // nobody listens there
  await page.goto(new URL('/admin/#/integrations/new', store.url).href);
  await page.getByLabel('Name').fill('Unreachable');
  await page.getByLabel('Callback URL').fill(`http://127.0.0.1:${closed}/callback`);
  await page.getByLabel('Your Password').fill(store.adminPassword);
  await page.getByRole('button', {name: 'Save', exact: true}).click();
  await page.getByText("The integration 'Unreachable' has been saved.").waitFor();
  await page.locator('#integrationGrid tbody tr', {hasText: 'Unreachable'}).getByRole('button', {name: 'Activate'}).click();
  await page.locator('dialog.permissions-dialog').getByText('No permissions requested').waitFor();
  await page.locator('dialog.permissions-dialog').getByRole('button', {name: 'Allow'}).click();
  await page.getByText(/The attempt to post data to the Callback URL "http:\/\/127\.0\.0\.1:\d+\/callback" failed: connection refused or unreachable/).waitFor();
  await shot(page, '14-activation-failed');
}));

test('configuration: guest access toggled from the panel changes an anonymous call at once', () => withStore(async ({store, page}) => {
  await signIn(page, store);
  const anonymous = async () => (await store.fetch('/rest/V1/store/storeViews')).status;
  assert.equal(await anonymous(), 401);
  await menu(page, 'Configuration').click();
  await page.getByRole('heading', {name: 'Magento Web API'}).waitFor();
  await page.getByText('This feature applies only to CMS, Catalog and Store APIs. Please consult your developers for details on potential security risks.').waitFor();
  await page.getByLabel('Allow Anonymous Guest Access').selectOption('1');
  await page.getByRole('button', {name: 'Save Config'}).click();
  await page.getByText('You saved the configuration.').waitFor();
  await shot(page, '15-config-webapi');
  assert.equal(await anonymous(), 200);
  await page.getByLabel('Allow Anonymous Guest Access').selectOption('0');
  await page.getByRole('button', {name: 'Save Config'}).click();
  await page.getByText('You saved the configuration.').waitFor();
  assert.equal(await anonymous(), 401);

  await page.getByRole('link', {name: 'OAuth'}).click();
  await page.getByLabel('Admin Token Lifetime (hours)').waitFor();
  await page.getByLabel('OAuth consumer credentials HTTP Post timeout').fill('abc');
  await page.getByRole('button', {name: 'Save Config'}).click();
  await page.getByText('enter a whole number of 0 or more').waitFor();
  await page.getByLabel('OAuth consumer credentials HTTP Post timeout').fill('9');
  await page.getByLabel('HMAC-SHA1').uncheck();
  await page.getByRole('button', {name: 'Save Config'}).click();
  await page.getByText('You saved the configuration.').waitFor();
  await shot(page, '16-config-oauth');
  assert.equal(store.cli('config:show', 'oauth/consumer/post_timeout').trim(), '9');
  assert.equal(store.cli('config:show', 'oauth/signature_methods').trim(), 'HMAC-SHA256');
}));

test('roles: a role without a resource is refused on its routes, in the panel and with its token', () => withStore(async ({store, page, context}) => {
  await signIn(page, store);
  await menu(page, 'User Roles').click();
  await page.locator('#roleGrid').getByText('Administrators').waitFor();
  await page.getByRole('link', {name: 'Add New Role'}).click();
  await page.getByLabel('Role Name').fill('Dashboard Only');
  await page.locator('li[data-resource="Magento_Backend::dashboard"] > .tree-row input').check();
  await page.getByLabel('Your Password').fill(store.adminPassword);
  await shot(page, '17-role-form');
  await page.getByRole('button', {name: 'Save Role'}).click();
  await page.getByText('You saved the role.').waitFor();
  await shot(page, '18-roles-grid');

  await menu(page, 'All Users').click();
  await page.getByRole('link', {name: 'Add New User'}).click();
  await page.getByLabel('User Name').fill('viewer');
  await page.getByLabel('Email').fill('viewer@example.com');
  await page.getByLabel('Password', {exact: true}).fill('Viewer-pass1');
  await page.getByLabel('User Role').selectOption({label: 'Dashboard Only'});
  await page.getByLabel('Your Password').fill(store.adminPassword);
  await page.getByRole('button', {name: 'Save User'}).click();
  await page.getByText('You saved the user.').waitFor();
  await page.locator('#userGrid').getByText('viewer@example.com').waitFor();
  await shot(page, '19-users-grid');

  // the role holds neither Catalog (products) nor Stores: its token is refused on both
  const token = await store.adminToken('viewer', 'Viewer-pass1');
  const refused = await store.fetch('/rest/V1/store/storeViews', {headers: {Authorization: `Bearer ${token}`}});
  assert.equal(refused.status, 401);
  assert.deepEqual(await refused.json(), {message: "The consumer isn't authorized to access %resources.", parameters: {resources: 'Magento_Backend::store'}});
  const adminToken = await store.adminToken('admin', store.adminPassword);
  assert.equal((await store.fetch('/rest/V1/store/storeViews', {headers: {Authorization: `Bearer ${adminToken}`}})).status, 200);
  const products = '/rest/V1/products?searchCriteria[pageSize]=1';
  const noCatalog = await store.fetch(products, {headers: {Authorization: `Bearer ${token}`}});
  assert.equal(noCatalog.status, 401);
  assert.deepEqual(await noCatalog.json(), {message: "The consumer isn't authorized to access %resources.", parameters: {resources: 'Magento_Catalog::products'}});
  assert.equal((await store.fetch(products, {headers: {Authorization: `Bearer ${adminToken}`}})).status, 200);

  // the viewer's session: the dashboard opens, Integrations is refused
  const other = await context.browser().newContext({viewport: {width: 1280, height: 900}});
  const page2 = await other.newPage();
  await signIn(page2, store, 'viewer', 'Viewer-pass1');
  await page2.getByRole('heading', {name: 'Store'}).waitFor();
  await page2.goto(new URL('/admin/#/integrations', store.url).href);
  await page2.getByText('Sorry, you need permissions to view this content.').waitFor();
  await shot(page2, '20-permission-denied');
  await other.close();
}));

test('CSRF: a state-changing request without the form key is refused; XSS: names are text', () => withStore(async ({store, page}) => {
  await signIn(page, store);
  const csrf = await page.evaluate(async () => {
    const r = await fetch('/admin/api/config', {method: 'PUT', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({values: {'webapi/webapisecurity/allow_insecure': '1'}})});
    return {status: r.status, body: await r.json()};
  });
  assert.equal(csrf.status, 403);
  assert.equal(csrf.body.message, 'Invalid Form Key. Please refresh the page.');
  assert.equal(store.cli('config:show', 'webapi/webapisecurity/allow_insecure').trim(), '0');
  // a forged sign-out or delete from another origin is refused too (the Origin check and the
  // SameSite cookie): the cookie-less request is not signed in
  const crossSite = await page.request.delete(new URL('/admin/api/session', store.url).href, {headers: {Origin: 'http://evil.example'}});
  assert.equal(crossSite.status(), 403);

  const evil = '<img src=x onerror="window.__xss=1">"\'&<script>window.__xss=2</script>';
  await page.goto(new URL('/admin/#/integrations/new', store.url).href);
  await page.getByLabel('Name').fill(evil);
  await page.getByLabel('Your Password').fill(store.adminPassword);
  await page.getByRole('button', {name: 'Save', exact: true}).click();
  await page.getByText(`The integration '${evil}' has been saved.`).waitFor();
  const cell = page.locator('#integrationGrid tbody td.col-name').first();
  assert.equal(await cell.textContent(), evil);
  assert.equal(await page.locator('#integrationGrid img').count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  await page.locator('#integrationGrid').getByRole('link', {name: `Edit ${evil}`}).click();
  await page.getByRole('heading', {name: `Edit "${evil}" Integration`}).waitFor();
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  await shot(page, '21-xss-as-text');
}));

test('narrow window: the menu folds into a button and every screen stays usable', () => withStore(async ({store, page}) => {
  await signIn(page, store);
  await page.getByRole('button', {name: 'Menu'}).click();
  await menu(page, 'Integrations').click();
  await page.getByRole('link', {name: 'Add New Integration'}).waitFor();
  await shot(page, '22-narrow-integrations');
  // keyboard: Tab reaches the form controls in order, Enter activates
  await page.getByRole('link', {name: 'Add New Integration'}).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', {name: 'New Integration'}).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.name), 'name');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'email');
  await shot(page, '23-narrow-integration-form');
}, {width: 400, height: 800}));
