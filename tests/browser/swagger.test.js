// GET /swagger in headless chromium: Swagger UI (swagger-ui-dist, embedded in the binary) loads
// the store's API description under the page's strict Content-Security-Policy, lists the
// operations an anonymous caller may use, takes an admin token through "Authorize", fetches the
// description again with it (now listing the admin's operations), and "Try it out" on
// GET /V1/store/storeViews sends the token as a Bearer token and shows the 200 answer.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {Store, launch, shot} from './harness.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function withSwagger(fn) {
  const store = await new Store().start();
  const context = await browser.newContext({viewport: {width: 1280, height: 900}});
  // CSP violations are reported to the page as events; collect them before any script runs
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  const errors = [];
  const offOrigin = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('request', (r) => { if (!r.url().startsWith(store.url) && !r.url().startsWith('data:')) offOrigin.push(r.url()); });
  try {
    await fn({store, page});
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'no CSP violation');
    assert.deepEqual(errors, [], 'no script or console errors in the page');
    assert.deepEqual(offOrigin, [], 'the page talks to its own origin only');
  } finally {
    await context.close();
    assert.equal(await store.stop(), 0, 'storegate exits 0 on SIGTERM');
  }
}

const operation = (page, method, path) =>
  page.locator(`.opblock-${method}`).filter({has: page.locator(`.opblock-summary-path[data-path="${path}"]`)});

test('Swagger UI: operations listed, Authorize with an admin token, Try it out on GET /V1/store/storeViews', () => withSwagger(async ({store, page}) => {
  const token = await store.adminToken(store.adminUser, store.adminPassword);
  const schemaRequests = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/rest/all/schema') schemaRequests.push(r.headers().authorization || null);
  });

  const res = await page.goto(new URL('/swagger', store.url).href);
  assert.equal(res.status(), 200);
  // anonymous: the token services are listed, the admin's are not
  await operation(page, 'post', '/V1/integration/admin/token').first().waitFor();
  assert.equal(await operation(page, 'get', '/V1/store/storeViews').count(), 0);
  assert.ok(await page.locator('.info .title').textContent(), 'the description\'s title shows');
  // anonymous operations (no 401 documented) carry no padlock
  assert.equal(await operation(page, 'post', '/V1/integration/admin/token').locator('.authorization__btn').count(), 0);
  await shot(page, 'swagger-anonymous');

  // Authorize: the token as the token endpoint printed it, JSON quotes included
  await page.locator('.auth-wrapper button.authorize').click();
  const dialog = page.locator('.dialog-ux .modal-ux');
  await dialog.locator('input').fill(JSON.stringify(token));
  await dialog.locator('.auth-btn-wrapper button.authorize').click();
  await dialog.locator('.auth-btn-wrapper button.btn-done').click();

  // the description is fetched again with the token and now lists the admin's operations
  const storeViews = operation(page, 'get', '/V1/store/storeViews');
  await storeViews.waitFor();
  assert.deepEqual(schemaRequests, [null, `Bearer ${token}`]);
  assert.ok(await operation(page, 'get', '/V1/products').count() > 0, 'product operations listed');
  assert.equal(await storeViews.locator('.authorization__btn').count(), 1, 'a padlock on a protected operation');

  await storeViews.locator('.opblock-summary').click();
  await storeViews.locator('button.try-out__btn').click();
  const sent = page.waitForRequest((r) => new URL(r.url()).pathname === '/rest/all/V1/store/storeViews');
  await storeViews.locator('button.execute').click();
  const request = await sent;
  assert.equal(request.headers().authorization, `Bearer ${token}`);
  const status = storeViews.locator('.live-responses-table tr.response .response-col_status').first();
  await status.waitFor();
  assert.equal((await status.textContent()).trim(), '200');
  const body = await storeViews.locator('.live-responses-table tr.response .response-col_description pre').first().textContent();
  const views = JSON.parse(body);
  assert.ok(views.some((v) => v.code === 'default'), `store views listed: ${body}`);
  await shot(page, 'swagger-try-it-out');

  // Logout: back to the anonymous description
  await page.locator('.auth-wrapper button.authorize').click();
  await dialog.locator('.auth-btn-wrapper button').filter({hasText: 'Logout'}).click();
  await dialog.locator('.auth-btn-wrapper button.btn-done').click();
  await storeViews.waitFor({state: 'detached'});
  assert.equal(schemaRequests.at(-1), null);
}));

test('Swagger UI: ?store= picks the store code of the description, a bad one falls back to all', () => withSwagger(async ({store, page}) => {
  const paths = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.endsWith('/schema')) paths.push(u.pathname + u.search);
  });
  await page.goto(new URL('/swagger?store=default', store.url).href);
  await operation(page, 'post', '/V1/integration/admin/token').first().waitFor();
  await page.goto(new URL('/swagger/?store=%3Cscript%3E', store.url).href);
  await operation(page, 'post', '/V1/integration/admin/token').first().waitFor();
  assert.deepEqual(paths, ['/rest/default/schema?services=all', '/rest/all/schema?services=all']);
}));
