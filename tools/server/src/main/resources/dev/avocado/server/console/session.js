// The consoles' sign-in and requests: the session cookie is HttpOnly (no script reads it); the request
// token the server gives at sign-in goes in a header with every change, which a page of another site
// cannot read or send.
'use strict';
const Console = (() => {
  let requestToken = null;
  const status = () => document.getElementById('status');

  function say(text, error) {
    const s = status();
    s.textContent = text;
    s.classList.toggle('error', !!error);
  }

  async function answer(r) {
    const type = r.headers.get('Content-Type') || '';
    const body = type.startsWith('application/json') ? await r.json() : (await r.text()).trim();
    if (r.status === 401) {
      showSignIn(typeof body === 'string' ? body : 'sign in');
    }
    if (!r.ok) {
      const e = new Error(typeof body === 'string' ? body : JSON.stringify(body));
      e.status = r.status;
      throw e;
    }
    return body;
  }

  async function get(path) {
    return answer(await fetch(path, { credentials: 'same-origin', cache: 'no-store' }));
  }

  async function post(path, data) {
    return answer(await fetch(path, {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', 'X-Avocado-Request-Token': requestToken || '' },
      body: JSON.stringify(data || {}),
    }));
  }

  function showSignIn(why) {
    requestToken = null;
    document.getElementById('signed-in').hidden = true;
    document.getElementById('sign-out').hidden = true;
    document.getElementById('sign-in').hidden = false;
    say(why, true);
    document.getElementById('password').focus();
  }

  function signedIn(session, onSignedIn) {
    requestToken = session.requestToken;
    document.getElementById('sign-in').hidden = true;
    document.getElementById('signed-in').hidden = false;
    document.getElementById('sign-out').hidden = false;
    onSignedIn();
  }

  // Starts the console: the page's data once signed in (now, or after the sign-in form).
  async function start(onSignedIn) {
    document.getElementById('sign-in').addEventListener('submit', async (e) => {
      e.preventDefault();
      const field = document.getElementById('password');
      try {
        const r = await fetch('/console/api/sign-in', {
          method: 'POST', credentials: 'same-origin', cache: 'no-store',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ password: field.value }),
        });
        const session = await answer(r);
        field.value = '';
        say('signed in');
        signedIn(session, onSignedIn);
      } catch (err) {
        say('sign-in refused: ' + err.message, true);
      }
    });
    document.getElementById('sign-out').addEventListener('click', async () => {
      try { await post('/console/api/sign-out'); } catch (err) { /* signed out either way */ }
      showSignIn('signed out');
    });
    try {
      signedIn(await get('/console/api/session'), onSignedIn);
    } catch (err) {
      showSignIn(err.message);
    }
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text == null ? '' : String(text); // never HTML: devices choose some of these texts
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  return { start, get, post, say, cell, signedInNow: () => requestToken !== null };
})();
