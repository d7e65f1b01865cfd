// The registrar's console: pledges polled every second; a pending one is approved or refused with one click.
'use strict';
(() => {
  let timer = null;
  let shown = null; // what the table shows: redrawn only when it changes, so focus and clicks stay put

  const when = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC') : '');

  function row(p) {
    const tr = document.createElement('tr');
    tr.className = p.state;
    tr.dataset.serial = p.serial;
    const c = Console.cell;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = p.serial;
    tr.appendChild(th);
    c(tr, p.manufacturer);
    c(tr, when(p.firstSeen));
    c(tr, p.state, 'state');
    c(tr, p.reason);
    c(tr, p.voucher ? p.voucher.assertion + ', delivered ' + when(p.voucher.deliveredAt)
      + (p.voucher.expiresOn ? ', expires ' + when(p.voucher.expiresOn) : '') : '');
    c(tr, p.ldevid ? 'serial ' + p.ldevid.certificateSerial + ', expires ' + when(p.ldevid.notAfter) : '');
    const decision = c(tr, '');
    if (p.state === 'pending') {
      for (const [action, label] of [['approve', 'Approve'], ['refuse', 'Refuse']]) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = action;
        b.textContent = label;
        b.setAttribute('aria-label', label + ' ' + p.serial);
        b.addEventListener('click', () => decide(action, p.serial));
        decision.appendChild(b);
      }
    }
    return tr;
  }

  async function decide(action, serial) {
    try {
      Console.say(await Console.post('/console/api/' + action, { serial }));
    } catch (err) {
      Console.say(action + ' ' + serial + ' refused: ' + err.message, true);
    }
    refresh();
  }

  async function refresh() {
    if (!Console.signedInNow()) return;
    try {
      const data = await Console.get('/console/api/pledges');
      document.getElementById('approval').textContent = data.approval;
      document.getElementById('updated').textContent = when(data.now);
      const now = JSON.stringify(data.pledges);
      if (now !== shown) {
        shown = now;
        document.querySelector('#pledges tbody').replaceChildren(...data.pledges.map(row));
      }
    } catch (err) {
      if (err.status !== 401) Console.say('cannot read the pledges: ' + err.message, true);
    }
  }

  Console.start(() => {
    refresh();
    if (timer === null) timer = setInterval(refresh, 1000);
  });
})();
