// The factory's console: the device database by serial, revocation of a live IDevID, the production plan.
'use strict';
(() => {
  let timer = null;
  let shown = null;
  const when = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC') : '');

  function row(d) {
    const tr = document.createElement('tr');
    tr.className = d.status;
    tr.dataset.serial = d.serial;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = d.serial;
    tr.appendChild(th);
    Console.cell(tr, d.status, 'state');
    Console.cell(tr, when(d.issuedAt));
    Console.cell(tr, d.subject + ', serial ' + d.certificateSerial);
    Console.cell(tr, d.requestedFrom);
    Console.cell(tr, d.dppUri || 'not recorded');
    const action = Console.cell(tr, '');
    if (d.status === 'live') {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'refuse';
      b.textContent = 'Revoke';
      b.setAttribute('aria-label', 'Revoke the IDevID of ' + d.serial);
      b.addEventListener('click', () => change('revoke', { serial: d.serial, reason: document.getElementById('reason').value }));
      action.appendChild(b);
    }
    return tr;
  }

  async function change(what, data) {
    try {
      Console.say(await Console.post('/console/api/' + what, data));
    } catch (err) {
      Console.say(what + ' refused: ' + err.message, true);
    }
    refresh();
  }

  async function refresh() {
    if (!Console.signedInNow()) return;
    try {
      const serial = document.getElementById('serial').value.trim();
      const data = await Console.get('/console/api/devices?serial=' + encodeURIComponent(serial));
      document.getElementById('plan').textContent = data.plan;
      document.getElementById('updated').textContent = when(data.now);
      const now = JSON.stringify([data.devices, data.allowed]);
      if (now !== shown) {
        shown = now;
        document.querySelector('#devices tbody').replaceChildren(...data.devices.map(row));
        document.getElementById('allowed').replaceChildren(...data.allowed.map((s) => {
          const li = document.createElement('li');
          li.textContent = s;
          return li;
        }));
      }
    } catch (err) {
      if (err.status !== 401) Console.say('cannot read the devices: ' + err.message, true);
    }
  }

  document.getElementById('search').addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
  document.getElementById('allow').addEventListener('submit', (e) => {
    e.preventDefault();
    const field = document.getElementById('serials');
    change('allow', { serials: field.value }).then(() => { field.value = ''; });
  });
  Console.start(() => {
    refresh();
    if (timer === null) timer = setInterval(refresh, 2000);
  });
})();
