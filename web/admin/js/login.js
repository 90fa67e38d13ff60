// The sign-in page: POST /admin/api/session; the answer sets the session cookie.
const form = document.getElementById('login-form');
const message = document.getElementById('login-message');

function show(text) {
  message.textContent = text;
  message.hidden = false;
}

if (new URLSearchParams(location.search).has('expired')) {
  show('Your session has expired. Please sign in again.');
}
if (new URLSearchParams(location.search).has('signed-out')) {
  message.className = 'message message-success';
  show('You have logged out.');
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    message.className = 'message message-error';
    show('Enter your username and password.');
    (username ? form.password : form.username).focus();
    return;
  }
  const button = document.getElementById('sign-in');
  button.disabled = true;
  try {
    const res = await fetch('/admin/api/session', {
      method: 'POST',
      headers: {'Content-Type': 'application/json', Accept: 'application/json'},
      credentials: 'same-origin',
      body: JSON.stringify({username, password}),
    });
    if (res.ok) {
      location.assign('/admin/');
      return;
    }
    const body = await res.json().catch(() => ({message: `HTTP ${res.status}`}));
    message.className = 'message message-error';
    show(body.message || `Sign-in failed (HTTP ${res.status}).`);
    form.password.value = '';
    form.password.focus();
  } catch (e) {
    message.className = 'message message-error';
    show(`The store could not be reached: ${e.message}`);
  } finally {
    button.disabled = false;
  }
});
