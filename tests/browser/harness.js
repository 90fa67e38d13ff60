// The browser tests' harness, the JavaScript sibling of tests/e2e/harness.py: a store of its own for
// each test (a temp var dir made by `storegate setup:install`, `serve` on a free port), the example
// third-party app, headless Debian chromium through playwright-core, and screenshots.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, mkdirSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join, resolve, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = resolve(process.env.STOREGATE_BIN || join(REPO, 'build', 'release', 'storegate'));
export const PYTHON = '/usr/bin/python3';
export const CHROMIUM = process.env.STOREGATE_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO, 'tests', 'browser', 'screenshots');

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => ok(port));
    });
  });
}

function waitForLine(proc, re, what, timeoutMs = 15000) {
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start in ${timeoutMs} ms\n${out}\n${err}`)), timeoutMs);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(re);
      if (m) { clearTimeout(timer); ok(m); }
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.once('exit', (code) => { clearTimeout(timer); fail(new Error(`${what} exited ${code}\n${out}\n${err}`)); });
  });
}

function stopProcess(proc) {
  if (!proc || proc.exitCode !== null) return Promise.resolve(proc ? proc.exitCode : 0);
  return new Promise((ok) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
    proc.once('exit', (code) => { clearTimeout(timer); ok(code); });
    proc.kill('SIGTERM');
  });
}

/** One installed store and its `serve` process. */
export class Store {
  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'storegate-browser-'));
    this.varDir = join(this.root, 'var');
    this.cwd = join(this.root, 'cwd');
    mkdirSync(this.cwd);
    this.adminUser = 'admin';
    this.adminPassword = 'Browser1-' + Math.random().toString(36).slice(2, 10);
    this.proc = null;
  }

  cli(...args) {
    const r = spawnSync(BIN, ['--var-dir', this.varDir, ...args], {cwd: this.cwd, encoding: 'utf8', timeout: 60000});
    if (r.status !== 0) throw new Error(`storegate ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  }

  async start() {
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}/`;
    this.cli('setup:install', '--base-url', this.url, '--admin-user', this.adminUser,
      '--admin-password', this.adminPassword, '--admin-email', 'admin@example.com');
    this.proc = spawn(BIN, ['--var-dir', this.varDir, 'serve', '--listen', `127.0.0.1:${this.port}`,
      '--threads', '2', '--access-log', 'off'], {cwd: this.cwd, stdio: ['ignore', 'pipe', 'pipe']});
    this.stderr = '';
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    await waitForLine(this.proc, /listening on/, 'storegate serve');
    return this;
  }

  /** fetch against the store (Node's fetch: no browser, no cookie). */
  fetch(path, init) {
    return fetch(new URL(path, this.url), init);
  }

  async adminToken(username, password) {
    const r = await this.fetch('/rest/V1/integration/admin/token', {
      method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({username, password}),
    });
    if (r.status !== 200) throw new Error(`admin token for ${username}: HTTP ${r.status} ${await r.text()}`);
    return r.json();
  }

  async stop() {
    const code = await stopProcess(this.proc);
    if (!process.env.STOREGATE_KEEP_TMP) rmSync(this.root, {recursive: true, force: true});
    return code;
  }
}

/** examples/third-party-app/app.py on a free port; {url, callback, login, stop()}. */
export async function thirdPartyApp(extra = []) {
  const proc = spawn(PYTHON, [join(REPO, 'examples', 'third-party-app', 'app.py'), '--port', '0', ...extra],
    {stdio: ['ignore', 'pipe', 'pipe']});
  const m = await waitForLine(proc, /listening on (http:\/\/[^ ]+\/)/, 'third-party app');
  const url = m[1];
  return {url, callback: `${url}callback`, login: `${url}login`, proc, stop: () => stopProcess(proc)};
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // the tests run as root in CI containers, where chromium's sandbox cannot start
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

export async function shot(page, name) {
  mkdirSync(SCREENSHOTS, {recursive: true});
  await page.screenshot({path: join(SCREENSHOTS, `${name}.png`), fullPage: true});
}

/** Signs in through the sign-in page; resolves once the dashboard shows. */
export async function signIn(page, store, username = store.adminUser, password = store.adminPassword) {
  await page.goto(new URL('/admin/login', store.url).href);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.waitForURL(/\/admin\/(#.*)?$/);
  await page.locator('#account-name').filter({hasText: username}).waitFor();
}

/** Runs a Python snippet with Debian's interpreter (requests-oauthlib for signed calls). */
export function python(code, args = []) {
  const r = spawnSync(PYTHON, ['-c', code, ...args], {encoding: 'utf8', timeout: 30000});
  if (r.status !== 0) throw new Error(`python exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
