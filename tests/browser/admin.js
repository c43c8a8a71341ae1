// Browser test of the admin console against the `hub dev` of run.sh (after e2e.js).
// Data through the API as a script: the demo client tops up through the sandbox, asks for
// a legal one-off, the demo legal provider accepts, the client opens an order, the provider
// takes it, the client complains. Then in Chromium the demo admin finds the complaint live in
// the queue, opens it, takes it into review, adds a note, writes in the order's chat and to the
// provider directly, is stopped by the form from splitting more than the escrow, and resolves
// 60/40; the client's and the provider's wallet pages show their shares arrive; the order's
// timeline shows the ComplaintResolved step, then the order thawing (frozen_by changed), and exports as JSON.
// The work overview, accounts and catalog screens render their content.
const fs = require('fs');
const { chromium } = require('playwright-core');
const base = process.argv[2], out = process.argv[3];
const assert = (c, m) => { if (!c) throw new Error('ASSERT: ' + m); console.log('ok -', m); };
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CLIENT = ['client@hub.demo', 'client-demo-2026'];
const PROVIDER = ['legal@hub.demo', 'provider-demo-2026'];
const ADMIN = ['admin@hub.demo', 'admin-demo-2026'];

// Amounts as kopecks, so no float touches money.
const kop = (s) => { const [w, f = ''] = s.split('.'); return BigInt(w) * 100n + BigInt((f + '00').slice(0, 2)); };
const rub = (k) => `${k / 100n}.${String(k % 100n).padStart(2, '0')}`;

const call = async (method, path, token, body, headers = {}) => {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) { const e = new Error(`${method} ${path}: ${res.status} ${text}`); e.status = res.status; throw e; }
  return text ? JSON.parse(text) : null;
};
const login = async ([e, p]) => (await call('POST', '/api/v1/auth/login', null, { email: e, password: p })).access_token;
const until = async (what, check, ms = 30000) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out: ' + what);
    await new Promise(r => setTimeout(r, 250));
  }
};
const available = async (token) => kop((await call('GET', '/api/v1/wallet', token)).available.amount);

(async () => {
  const stamp = Date.now();
  const clientToken = await login(CLIENT);
  const providerToken = await login(PROVIDER);
  const adminToken = await login(ADMIN);

  // Money for the escrow: a sandbox top-up, approved as the payment page would.
  const before = await available(clientToken);
  const topUp = await call('POST', '/api/v1/commands/wallet/top-ups', clientToken, { amount: '50000' },
    { 'idempotency-key': `admin-top-up-${stamp}` });
  await call('POST', `/api/v1/payments/sandbox/${topUp.payment_id}/approve`, null);
  await until('the top-up settles', async () => (await available(clientToken)) >= before + kop('50000'));

  // A request the provider accepts, an order it takes, a complaint the client files.
  const description = `Admin console check #${stamp}`;
  const sub = await call('POST', '/api/v1/commands/subscriptions', clientToken,
    { service_type: 'legal', plan: 'one_off', description }, { 'idempotency-key': `admin-sub-${stamp}` });
  await call('POST', `/api/v1/commands/subscriptions/${sub.id}/accept`, providerToken);
  const order = await call('POST', `/api/v1/commands/subscriptions/${sub.id}/orders`, clientToken,
    { title: `Disputed NDA #${stamp}`, details: 'Review the NDA by Friday.' });
  await call('POST', `/api/v1/commands/orders/${order.id}/take`, providerToken);
  await call('POST', `/api/v1/commands/orders/${order.id}/messages`, providerToken, { text: 'On it.' });
  const escrow = await until('the escrow is held', async () => {
    const s = await call('GET', `/api/v1/subscriptions/${sub.id}`, clientToken);
    return s.provider_id && kop(s.escrow.amount) > 0n ? kop(s.escrow.amount) : null;
  });
  const reason = `The NDA review never arrived #${stamp}`;

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  const errors = [];
  const pages = [];
  const open = async () => {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    const page = await ctx.newPage();
    page.on('pageerror', e => errors.push('pageerror ' + e.message));
    page.setDefaultTimeout(20000);
    pages.push(page);
    return page;
  };
  const tid = (page, id) => page.locator(`[data-testid="${id}"]`);
  const signIn = async (page, [e, p]) => {
    await page.goto(base + '/login');
    await tid(page, 'login-email').fill(e);
    await tid(page, 'login-password').fill(p);
    await tid(page, 'login-submit').click();
  };
  const amountIs = (page, id, amount) => page.waitForFunction(([id, amount]) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    return el && el.getAttribute('data-amount') === amount;
  }, [id, amount], { timeout: 30000 });
  try {
    // The admin lands on the queue; the complaint is filed while it watches.
    const admin = await open();
    await signIn(admin, ADMIN);
    await tid(admin, 'complaints-page').waitFor();
    assert(await tid(admin, 'nav-admin-work').count() === 1, 'the admin nav has the work, accounts and catalog');
    await admin.locator('[data-testid="live-indicator"][data-live="true"]').waitFor();
    const filed = await call('POST', `/api/v1/commands/orders/${order.id}/complaints`, clientToken, { reason });
    const row = admin.locator(`[data-testid="complaint-row"][data-id="${filed.id}"]`);
    await row.waitFor({ timeout: 30000 });
    assert(await row.getAttribute('data-status') === 'filed', 'the new complaint appears live in the queue as filed');
    assert((await row.locator('[data-testid="complaint-age"]').textContent()).length > 0, 'the queue shows its age');
    await tid(admin, 'complaints-filter-resolved').check();
    await admin.locator('[data-testid="complaints-empty"], [data-testid="complaints-table"]').first().waitFor();
    assert(await row.count() === 0, 'the resolved filter hides it');
    await tid(admin, 'complaints-filter-all').check();
    await row.waitFor();
    await admin.screenshot({ path: out + '/admin-1-queue.png', fullPage: true });

    // The complaint: reason, parties, the escrow it froze.
    await row.locator('[data-testid="complaint-open"]').click();
    await tid(admin, 'complaint-page').waitFor();
    assert((await tid(admin, 'complaint-reason').textContent()) === reason, 'the complaint page shows the reason');
    assert(await tid(admin, 'complaint-stale').count() === 0, 'the complaint was read from the API');
    await amountIs(admin, 'split-escrow', rub(escrow));
    assert(true, `the split form shows the escrow held (${rub(escrow)})`);
    await admin.locator('[data-testid="order-frozen"]').waitFor();
    assert(true, 'the order shows as frozen');

    // Take it into review; add a note (private to admins).
    await tid(admin, 'complaint-review').click();
    await admin.locator('[data-testid="complaint-status"][data-status="in_review"]').waitFor({ timeout: 30000 });
    assert(true, 'taken into review');
    const note = `Asked the provider for the draft #${stamp}`;
    await tid(admin, 'note-text').fill(note);
    await tid(admin, 'note-submit').click();
    await admin.locator('[data-testid="note-row"]', { hasText: note }).waitFor({ timeout: 30000 });
    assert(true, 'the note is listed');

    // The order's chat: the provider's message is there; the admin writes into it.
    await admin.locator('[data-testid="chat-message"][data-role="provider"]', { hasText: 'On it.' }).waitFor();
    await tid(admin, 'chat-text').fill('The admin is looking into this order.');
    await tid(admin, 'chat-submit').click();
    await admin.locator('[data-testid="chat-message"][data-role="admin"]').waitFor({ timeout: 30000 });
    assert(true, "the admin's message is in the order's chat");
    const chat = await call('GET', `/api/v1/orders/${order.id}/messages`, clientToken);
    assert(chat.items.some(m => m.author_role === 'admin'), 'the client can read it in the chat');
    await tid(admin, 'direct-to-provider').check();
    await tid(admin, 'direct-text').fill('Please send the draft you have.');
    await tid(admin, 'direct-submit').click();
    await tid(admin, 'direct-sent').waitFor();
    assert(true, 'a direct message went to the provider');

    // The split: more than the escrow is refused in the form, before any request.
    await tid(admin, 'split-to-client').fill(rub(escrow));
    await tid(admin, 'split-to-provider').fill('0.01');
    await tid(admin, 'split-note').fill('too much');
    await tid(admin, 'split-to-client-error').waitFor();
    assert(await tid(admin, 'split-submit').isDisabled(), 'a split over the escrow cannot be sent');
    await tid(admin, 'split-to-provider').fill('1.001');
    await tid(admin, 'split-to-provider-error').waitFor();
    assert(true, 'a share with three decimals is refused at its field');
    await admin.screenshot({ path: out + '/admin-2-split-refused.png', fullPage: true });

    const toClient = escrow * 60n / 100n, toProvider = escrow - toClient;
    const clientBefore = await available(clientToken), providerBefore = await available(providerToken);
    await tid(admin, 'split-to-client').fill(rub(toClient));
    await tid(admin, 'split-to-provider').fill(rub(toProvider));
    await tid(admin, 'split-note').fill('The draft was late; 60% back to the client.');
    await admin.locator('[data-testid="split-summary"][data-remainder="0.00"]').waitFor();
    await admin.screenshot({ path: out + '/admin-3-complaint.png', fullPage: true });
    await tid(admin, 'split-submit').click();
    await admin.locator('[data-testid="complaint-status"][data-status="resolved"]').waitFor({ timeout: 30000 });
    await tid(admin, 'complaint-resolution').waitFor();
    assert(true, `resolved ${rub(toClient)} / ${rub(toProvider)}`);
    await admin.screenshot({ path: out + '/admin-4-resolved.png', fullPage: true });

    // Both parties see their share arrive on their wallet pages.
    const client = await open();
    await signIn(client, CLIENT);
    await tid(client, 'nav-wallet').click();
    await amountIs(client, 'wallet-available', rub(clientBefore + toClient));
    assert(true, `the client's wallet shows the refund (${rub(clientBefore)} → ${rub(clientBefore + toClient)})`);
    await client.screenshot({ path: out + '/admin-5-client-wallet.png', fullPage: true });
    const provider = await open();
    await signIn(provider, PROVIDER);
    await tid(provider, 'nav-wallet').click();
    await amountIs(provider, 'wallet-available', rub(providerBefore + toProvider));
    assert(true, `the provider's wallet shows its share (${rub(providerBefore)} → ${rub(providerBefore + toProvider)})`);
    await provider.screenshot({ path: out + '/admin-6-provider-wallet.png', fullPage: true });

    // The order's timeline.
    await tid(admin, 'complaint-timeline-link').click();
    await tid(admin, 'timeline-page').waitFor();
    {
      const resolved = admin.locator('[data-testid="timeline-step"][data-event-type="ComplaintResolved"]');
      await resolved.waitFor();
      await resolved.click();
      await admin.locator('[data-testid="timeline-state"]').waitFor();
      assert(await resolved.getAttribute('aria-selected') === 'true', 'the ComplaintResolved step is selected');
      // A complaint's own step leaves the order as it was; the order thaws in the next step.
      const unchanged = await admin.locator('[data-testid="timeline-state-field"][data-changed="true"]').count();
      assert(unchanged === 0, 'the resolution itself changes no field of the order');
      const thawed = admin.locator('[data-testid="timeline-step"][data-event-type="OrderUnfrozen"]');
      await thawed.click();
      await admin.locator('[data-testid="timeline-state-field"][data-field="frozen_by"][data-changed="true"]').waitFor();
      assert(true, 'the OrderUnfrozen step marks frozen_by as changed');
      await tid(admin, 'timeline-kind-money').uncheck();
      assert(await admin.locator('[data-testid="timeline-step"][data-kind="money"]').count() === 0, 'unticking money hides its steps');
      await tid(admin, 'timeline-kind-money').check();
      await admin.screenshot({ path: out + '/admin-7-timeline.png', fullPage: true });
      const [download] = await Promise.all([admin.waitForEvent('download'), tid(admin, 'timeline-export').click()]);
      const json = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
      assert(json.order_id === order.id && json.steps.some(s => s.event_type === 'ComplaintResolved'),
        `the exported JSON is the history (${download.suggestedFilename()})`);
    }

    // Work, accounts, catalog: each renders its content, or the API's error when not merged.
    const screen = async (nav, page, ok, api) => {
      await tid(admin, nav).click();
      await tid(admin, page).waitFor();
      await tid(admin, ok).first().waitFor();
      assert(true, `${page} shows ${ok} (from ${api})`);
      await admin.screenshot({ path: `${out}/admin-8-${page}.png`, fullPage: true });
    };
    await screen('nav-admin-work', 'work-page', 'escrow-total', '/api/v1/admin/escrow');
    await screen('nav-admin-work', 'work-page', 'work-order-row', '/api/v1/admin/orders');
    await screen('nav-admin-accounts', 'accounts-page', 'account-row', '/api/v1/admin/accounts');
    await screen('nav-admin-catalog', 'catalog-page', 'catalog-row', '/api/v1/catalog?include_retired=true');
    assert(await admin.locator('[data-testid="catalog-row"][data-code="legal"]').count() === 1, 'the catalog lists legal');

    assert(errors.length === 0, 'no page errors: ' + errors.join('; '));
    console.log('admin: passed');
  } catch (e) {
    for (const [i, p] of pages.entries()) await p.screenshot({ path: `${out}/admin-failure-${i}.png` }).catch(() => {});
    console.error(e.message);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(e.message); process.exitCode = 1; });
