// The admin JSON API as the panel uses it: same-origin fetch with the session cookie, the form
// key on every state-changing request, errors turned into readable text, and a trip back to the
// sign-in page when the session is over.
import {errorText} from './dom.js';

let formKey = null;

export function setFormKey(key) {
  formKey = key;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(errorText(body));
    this.status = status;
    this.body = body;
  }
}

export async function api(method, path, body) {
  const headers = {Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && formKey) headers['X-Form-Key'] = formKey;
  let res;
  try {
    res = await fetch(`/admin/api${path}`, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, {message: `The store could not be reached (${e.message}). Check that storegate is running.`});
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = {message: `The store answered HTTP ${res.status} with a body that is not JSON.`}; }
  }
  if (res.status === 401 && path !== '/session') {
    // a role without the resource, or a session that is over? Only the latter sends to sign-in.
    const check = await fetch('/admin/api/session', {credentials: 'same-origin', cache: 'no-store'});
    if (check.status === 401) {
      location.assign('/admin/login?expired=1');
      return new Promise(() => {});
    }
  }
  if (!res.ok) throw new ApiError(res.status, data || {message: `HTTP ${res.status}`});
  return data;
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b === undefined ? {} : b);
export const put = (p, b) => api('PUT', p, b);
export const del = (p) => api('DELETE', p);
