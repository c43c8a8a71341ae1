// End-to-end browser test against a real `hub dev` (see run.sh): a client registers
// through the page, logs out and in again, tops up through the wallet page and the
// sandbox payment page, withdraws through the form (a wrong account first), creates a request, and a
// logged-in provider of that service type sees it appear live (SSE), without reload and
// accepts it; the client's bell rises live when the provider writes in the order's chat.
// Then, through the pages, the client opens an order, the provider takes it into work, both
// chat live, the provider marks it done and the client files a complaint (left open).
// A second request passes its deadline (the dev clock moves): the client extends it, then
// keeps waiting without a deadline, then cancels it with a full refund, all from its page.
// The client's closing documents page renders; the demo auditor downloads the ledger as CSV
// through the app (bearer token, blob download) and gets the BOM and the documented header.
const fs = require('fs');
const { chromium } = require('playwright-core');
const base = process.argv[2], out = process.argv[3];
const assert = (c, m) => { if (!c) throw new Error('ASSERT: ' + m); console.log('ok -', m); };
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  const errors = [];
  const open = async () => {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    page.on('pageerror', e => errors.push('pageerror ' + e.message));
    // hub dev serves the app under nginx.conf's Content-Security-Policy: nothing may be blocked.
    page.on('console', m => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push('csp ' + m.text());
    });
    page.setDefaultTimeout(20000);
    return page;
  };
  const tid = (page, id) => page.locator(`[data-testid="${id}"]`);
  const provider = await open();
  const client = await open();
  let auditor = null;
  const stamp = Date.now();
  const email = `e2e-${stamp}@client.test`;
  const password = 'e2e-password-2026';
  const description = `Contract review #${stamp}`;
  try {
    // The provider (demo data: legal and accounting) watches its available requests.
    await provider.goto(base + '/login');
    await tid(provider, 'login-email').fill('legal@hub.demo');
    await tid(provider, 'login-password').fill('provider-demo-2026');
    await tid(provider, 'login-submit').click();
    await tid(provider, 'nav-available-requests').click();
    await tid(provider, 'available-page').waitFor();
    await provider.locator('[data-testid="live-indicator"][data-live="true"]').waitFor();
    assert(true, 'provider sees Available requests with a live stream');

    // A new client registers through the page.
    await client.goto(base + '/register/client');
    await tid(client, 'register-email').fill(email);
    await tid(client, 'register-password').fill(password);
    await tid(client, 'register-company-name').fill('ООО «Тест»');
    await tid(client, 'register-inn').fill('6604000043');
    await tid(client, 'register-contact-name').fill('Мария Иванова');
    await tid(client, 'register-submit').click();
    await tid(client, 'subscriptions-page').waitFor();
    assert(true, 'client registered and signed in');
    await client.screenshot({ path: out + '/1-client-registered.png' });

    // Log out and in again.
    await tid(client, 'logout').click();
    await tid(client, 'login-email').waitFor();
    await tid(client, 'login-email').fill(email);
    await tid(client, 'login-password').fill(password);
    await tid(client, 'login-submit').click();
    await tid(client, 'subscriptions-page').waitFor();
    assert(true, 'client logged in');

    // The session: the access token in memory only, the refresh token in an HttpOnly,
    // Secure, SameSite=Strict cookie for /api/v1/auth (Chromium keeps Secure cookies
    // on http://127.0.0.1, a secure context), so a reload stays signed in.
    const stored = await client.evaluate(() => JSON.stringify(Object.assign({}, localStorage)));
    assert(!/token|eyJ/i.test(stored), `localStorage holds no token (${stored})`);
    const jar = await client.context().cookies(base + '/api/v1/auth/refresh');
    const refreshCookie = jar.find(c => c.name === 'hub_refresh');
    assert(refreshCookie && refreshCookie.httpOnly && refreshCookie.secure && refreshCookie.sameSite === 'Strict'
      && refreshCookie.path === '/api/v1/auth', `the refresh cookie is HttpOnly, Secure, Strict, /api/v1/auth (${JSON.stringify(refreshCookie)})`);
    assert(!(await client.evaluate(() => document.cookie)).includes('hub_refresh'), 'scripts cannot read the refresh cookie');
    const page = await client.reload();
    const csp = page.headers()['content-security-policy'] || '';
    assert(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/.test(csp) && csp.includes("frame-ancestors 'none'"),
      `hub dev serves the app with the CSP (${csp})`);
    assert(page.headers()['x-content-type-options'] === 'nosniff' && page.headers()['x-frame-options'] === 'DENY',
      'and nosniff, no framing');
    await tid(client, 'subscriptions-page').waitFor();
    assert((await tid(client, 'current-email').textContent()) === email, 'a reload keeps the client signed in (the cookie)');

    // Money for the escrow: a top-up through the wallet page and the sandbox payment page.
    await tid(client, 'nav-wallet').click();
    await tid(client, 'wallet-available').waitFor();
    assert(await tid(client, 'wallet-available').getAttribute('data-amount') === '0.00', 'a new wallet is empty');
    await tid(client, 'top-up-amount').fill('100000');
    await tid(client, 'top-up-submit').click();
    await client.waitForURL(/\/pay\/[^/]+$/);
    await tid(client, 'pay-amount').waitFor();
    const payText = await tid(client, 'pay-amount').textContent();
    assert(payText.includes('Pay 100,000') && payText.includes('₽'), `the payment page asks for the amount (${payText})`);
    await client.screenshot({ path: out + '/2-pay-page.png' });
    await tid(client, 'pay-approve').click();
    await tid(client, 'pay-settled').waitFor({ timeout: 60000 });
    assert(true, 'the sandbox settled the payment');
    await tid(client, 'pay-back').click();
    await client.waitForFunction(() => {
      const el = document.querySelector('[data-testid="wallet-available"]');
      return el && el.getAttribute('data-amount') === '100000.00';
    }, null, { timeout: 30000 });
    assert(true, 'the balance rose by the top-up');
    await client.locator('[data-testid="history-row"][data-kind="top_up"]').waitFor();
    assert(true, 'the top-up is in the history');

    // The notifier told the client: the bell counts it live, and lists it.
    await client.locator('[data-testid="bell-count"][data-count="1"]').waitFor({ timeout: 30000 });
    assert(true, "the client's bell counts the settled top-up");
    await tid(client, 'bell').click();
    await client.locator('[data-testid="bell-item"][data-kind="top_up_settled"]').waitFor();
    assert(true, 'the bell lists the settled top-up');
    await client.screenshot({ path: out + '/3-bell.png' });
    await tid(client, 'bell-read-all').click();
    await client.locator('[data-testid="bell-count"][data-count="0"]').waitFor();
    await tid(client, 'bell').click();
    assert(true, 'mark all read empties the count');

    // A withdrawal through the form: a wrong account is refused beside the field, a valid one goes out.
    await tid(client, 'withdraw-amount').fill('1500');
    await tid(client, 'withdraw-bik').fill('044525225');
    await tid(client, 'withdraw-account').fill('40702810938000000000');
    await tid(client, 'withdraw-account-error').waitFor();
    await tid(client, 'withdraw-submit').click();
    assert(await tid(client, 'withdraw-account-error').isVisible(), 'a wrong control key is shown beside the account');
    assert(await client.locator('[data-testid="payout-row"]').count() === 0, 'nothing was withdrawn');
    await client.screenshot({ path: out + '/3-withdraw-error.png' });
    await tid(client, 'withdraw-account').fill('40702810238720001420');
    assert(await tid(client, 'withdraw-account-error').count() === 0, 'a valid account clears the error');
    await tid(client, 'withdraw-submit').click();
    await tid(client, 'withdraw-done').waitFor();
    const payout = client.locator('[data-testid="payout-row"]').first();
    await payout.waitFor({ timeout: 30000 });
    const payoutStatus = await payout.getAttribute('data-status');
    assert(['requested', 'sent', 'settled'].includes(payoutStatus), `the withdrawal is in the payouts (${payoutStatus})`);
    await client.waitForFunction(() => {
      const el = document.querySelector('[data-testid="wallet-available"]');
      return el && el.getAttribute('data-amount') === '98500.00';
    }, null, { timeout: 30000 });
    assert(true, 'the withdrawal left the available balance');
    await client.screenshot({ path: out + '/4-wallet.png' });

    // The provider's bell before the request (the demo story left some).
    const bellBefore = Number(await tid(provider, 'bell-count').getAttribute('data-count'));

    // The client creates a request.
    await tid(client, 'nav-new-request').click();
    await tid(client, 'new-request-form').waitFor();
    await tid(client, 'new-request-service').selectOption('legal');
    await tid(client, 'new-request-plan-one_off').check();
    await tid(client, 'new-request-description').fill(description);
    await client.screenshot({ path: out + '/5-new-request.png' });
    await tid(client, 'new-request-submit').click();
    await tid(client, 'subscriptions-page').waitFor();
    await client.locator('[data-testid="request-row"]', { hasText: description }).waitFor();
    assert(true, "the request is in the client's list");
    await client.screenshot({ path: out + '/6-client-requests.png' });

    // ...and it appears live on the provider's page, without a reload.
    const row = provider.locator('[data-testid="request-row"]', { hasText: description });
    await row.waitFor();
    assert(await row.getAttribute('data-status') === 'requested', 'provider sees it live as requested');
    await provider.locator(`[data-testid="bell-count"][data-count="${bellBefore + 1}"]`).waitFor({ timeout: 30000 });
    assert(true, "the provider's bell rose live for the new request");
    await provider.screenshot({ path: out + '/7-provider-live.png' });

    // The API as a script sees it (the order and chat screens come later).
    const call = async (method, path, token, body, headers = {}) => {
      const res = await fetch(base + path, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    };
    const login = async (e, p) => (await call('POST', '/api/v1/auth/login', null, { email: e, password: p })).access_token;
    const clientToken = await login(email, password);
    const providerToken = await login('legal@hub.demo', 'provider-demo-2026');
    const kinds = async () => (await call('GET', '/api/v1/notifications', clientToken)).items.map(n => n.kind);
    const until = async (what, check) => {
      const end = Date.now() + 30000;
      while (!(await check())) {
        if (Date.now() > end) throw new Error('timed out: ' + what);
        await new Promise(r => setTimeout(r, 200));
      }
    };
    const bellCount = async () => Number(await tid(client, 'bell-count').getAttribute('data-count'));

    // The provider accepts from its page; the client is told.
    await row.locator('[data-testid="request-accept"]').click();
    await until('the client hears of the acceptance', async () => (await kinds()).includes('request_accepted'));
    const unread = async () => (await call('GET', '/api/v1/notifications/unread', clientToken)).unread;
    await until('the bell shows what the API counts', async () => (await bellCount()) === (await unread()));
    const bellBeforeChat = await bellCount();
    assert(true, 'the provider accepted and the client was told');

    // The client opens an order; the provider writes in its chat; the client's bell rises live.
    const subs = await call('GET', '/api/v1/subscriptions', clientToken);
    const accepted = subs.items.find(s => s.description === description);
    const order = await call('POST', `/api/v1/commands/subscriptions/${accepted.id}/orders`, clientToken,
      { title: 'NDA', details: 'Please review the NDA.' });
    await call('POST', `/api/v1/commands/orders/${order.id}/messages`, providerToken, { text: 'Reading your NDA now.' });
    await client.waitForFunction((n) => {
      const el = document.querySelector('[data-testid="bell-count"]');
      return el && Number(el.getAttribute('data-count')) > n;
    }, bellBeforeChat, { timeout: 30000 });
    await tid(client, 'bell').click();
    await client.locator('[data-testid="bell-item"][data-kind="chat_message"]').waitFor();
    assert(true, "the client's bell rose live when the provider wrote in the chat");
    await client.screenshot({ path: out + '/8-bell-chat.png' });
    await tid(client, 'bell').click();

    // Orders, live chat and a complaint through the pages: the client opens an order on the
    // subscription page while the provider watches it, the provider takes it into work on the
    // order page, both chat live (no reload), the provider marks it done, the client is asked
    // to confirm, complains instead (a too short reason is refused beside the field) and sees
    // the complaint listed as filed; the order shows it is frozen. The complaint stays open.
    await tid(provider, 'nav-my-subscriptions').click();
    await provider.locator('[data-testid="request-row"]', { hasText: description })
      .locator('[data-testid="request-open"]').click();
    await tid(provider, 'orders-section').waitFor();
    await provider.locator('[data-testid="live-indicator"][data-live="true"]').waitFor();
    await client.goto(base + '/subscriptions/' + accepted.id);
    await tid(client, 'new-order-form').waitFor();
    await tid(client, 'new-order-submit').click();
    await tid(client, 'new-order-title-error').waitFor();
    assert(true, 'an empty order title is refused beside the field');
    const orderTitle = `Supply contract #${stamp}`;
    await tid(client, 'new-order-title').fill(orderTitle);
    await tid(client, 'new-order-details').fill('Draft a supply contract for 40 office chairs, delivery in December.');
    await tid(client, 'new-order-submit').click();
    const clientOrderRow = client.locator('[data-testid="order-row"]', { hasText: orderTitle });
    await clientOrderRow.waitFor();
    assert(await clientOrderRow.getAttribute('data-status') === 'created', 'the client created an order on the subscription page');
    const orderId = await clientOrderRow.getAttribute('data-id');
    console.log('E2E_ORDER_ID=' + orderId);
    await client.screenshot({ path: out + '/8a-order-created.png' });
    const providerOrderRow = provider.locator('[data-testid="order-row"]', { hasText: orderTitle });
    await providerOrderRow.waitFor({ timeout: 30000 });
    assert(true, 'the provider sees the new order appear live on the subscription page');
    await provider.screenshot({ path: out + '/8b-provider-orders.png' });

    // Both open the order page; the provider takes it into work, the client sees it live.
    await clientOrderRow.locator('[data-testid="order-open"]').click();
    await client.locator('[data-testid="order-detail"][data-status="created"]').waitFor();
    await client.locator('[data-testid="live-indicator"][data-live="true"]').waitFor();
    await tid(client, 'order-not-taken').waitFor();
    await providerOrderRow.locator('[data-testid="order-open"]').click();
    await tid(provider, 'order-page').waitFor();
    await provider.locator('[data-testid="live-indicator"][data-live="true"]').waitFor();
    await tid(provider, 'order-take').click();
    await provider.locator('[data-testid="order-detail"][data-status="in_progress"]').waitFor();
    await client.locator('[data-testid="order-detail"][data-status="in_progress"]').waitFor({ timeout: 30000 });
    assert(true, 'the provider took the order into work; the client saw it live');

    // A file the server would refuse is stopped before the upload.
    await tid(client, 'chat-attach').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('plain text') });
    await tid(client, 'chat-attach-error').waitFor();
    assert((await tid(client, 'chat-attach-error').textContent()).includes('PDF'), 'a text file is refused before upload');

    // Live chat both ways, each message once (the optimistic copy and the streamed one are one).
    const ask = `Please use our template, clause 5 is new (${stamp}).`;
    await tid(client, 'chat-input').fill(ask);
    await tid(client, 'chat-send').click();
    const askOnProvider = provider.locator('[data-testid="chat-message"][data-author-role="client"]', { hasText: ask });
    await askOnProvider.waitFor({ timeout: 30000 });
    assert(true, 'the provider sees the client\'s message live, without a reload');
    await client.locator('[data-testid="chat-message"][data-state="sent"][data-mine="true"]', { hasText: ask }).waitFor();
    const reply = `Got it, a draft by Friday (${stamp}).`;
    await tid(provider, 'chat-input').fill(reply);
    await tid(provider, 'chat-send').click();
    await client.locator('[data-testid="chat-message"][data-author-role="provider"]', { hasText: reply }).waitFor({ timeout: 30000 });
    assert(true, 'the client sees the provider\'s answer live');
    await provider.locator('[data-testid="chat-message"][data-state="sent"]', { hasText: reply }).waitFor();
    await until('the streamed copies replace the sent ones', async () =>
      (await client.locator('[data-testid="chat-message"][data-id]', { hasText: ask }).count()) === 1 &&
      (await provider.locator('[data-testid="chat-message"][data-id]', { hasText: reply }).count()) === 1);
    assert(await client.locator('[data-testid="chat-message"]', { hasText: ask }).count() === 1, 'the client\'s message shows once');
    assert(await provider.locator('[data-testid="chat-message"]', { hasText: reply }).count() === 1, 'the provider\'s answer shows once');
    await client.screenshot({ path: out + '/8c-order-chat-client.png' });
    await provider.screenshot({ path: out + '/8d-order-chat-provider.png' });

    // The provider marks it done; the client is asked to confirm, with the auto-confirm note.
    await tid(provider, 'order-mark-done').click();
    await tid(provider, 'order-waiting').waitFor();
    await tid(client, 'order-confirm-prompt').waitFor({ timeout: 30000 });
    await tid(client, 'order-auto-confirm-note').waitFor();
    assert(await tid(client, 'order-confirm-done').isVisible(), 'the client is asked to confirm the provider\'s done, live');
    await client.screenshot({ path: out + '/8e-order-confirm.png' });

    // The client complains instead: a too short reason is refused at the field, then it is filed.
    await tid(client, 'order-complain').click();
    await tid(client, 'complaint-reason').fill('Bad.');
    await tid(client, 'complaint-submit').click();
    await tid(client, 'complaint-reason-error').waitFor();
    assert(true, 'a too short complaint reason is refused beside the field');
    const reason = `The draft ignores clause 5 of our template (${stamp}).`;
    await tid(client, 'complaint-reason').fill(reason);
    await tid(client, 'complaint-submit').click();
    const filed = client.locator('[data-testid="complaint-row"]', { hasText: reason });
    await filed.waitFor();
    assert(await filed.getAttribute('data-status') === 'filed', 'the client sees the complaint listed as filed');
    await tid(client, 'order-frozen').waitFor({ timeout: 30000 });
    assert(await tid(client, 'order-confirm-done').count() === 0, 'the frozen order says why and offers no "done"');
    await provider.locator('[data-testid="complaint-row"][data-status="filed"]', { hasText: reason }).waitFor({ timeout: 30000 });
    await tid(provider, 'order-frozen').waitFor();
    assert(true, 'the provider sees the complaint and the frozen order live');
    await client.screenshot({ path: out + '/8f-order-complaint.png' });
    await provider.screenshot({ path: out + '/8g-provider-frozen.png' });

    // A second request nobody accepts: the dev clock passes its deadline.
    const walletBefore = (await call('GET', '/api/v1/wallet', clientToken)).available.amount;
    const late = await call('POST', '/api/v1/commands/subscriptions', clientToken,
      { service_type: 'legal', plan: 'one_off', description: `Late request #${stamp}` },
      { 'idempotency-key': `late-${stamp}` });
    await client.goto(base + '/subscriptions/' + late.id);
    await client.locator('[data-testid="subscription-status"][data-status="requested"]').waitFor();
    const moved = await call('POST', '/api/v1/commands/dev/clock', null, { advance: '25h' });
    await client.locator('[data-testid="subscription-status"][data-status="overdue"]').waitFor({ timeout: 30000 });
    await tid(client, 'overdue-panel').waitFor();
    assert(true, 'the request page says nobody accepted in time, live');
    await client.screenshot({ path: out + '/9-overdue.png' });

    // Extend by three days (after the moved clock), then let that pass too and keep waiting.
    const day = new Date(Date.parse(moved.now) + 3 * 86400000).toISOString().slice(0, 10);
    await tid(client, 'extend-until').fill(day);
    await tid(client, 'extend-deadline').click();
    await client.locator('[data-testid="subscription-status"][data-status="requested"]').waitFor();
    assert((await tid(client, 'subscription-deadline').textContent()).length > 0, 'the new deadline is shown');
    assert(true, 'the client extended the deadline from the page');
    await call('POST', '/api/v1/commands/dev/clock', null, { advance: '4d' });
    await client.locator('[data-testid="subscription-status"][data-status="overdue"]').waitFor({ timeout: 30000 });
    await tid(client, 'keep-waiting').click();
    await tid(client, 'waiting-without-deadline').waitFor();
    assert(true, 'the client chose to keep waiting without a deadline');

    // Then cancels it: the whole price comes back to the wallet.
    await tid(client, 'cancel-subscription').click();
    await tid(client, 'cancel-yes').click();
    await client.locator('[data-testid="subscription-status"][data-status="cancelled"]').waitFor();
    await until('the refund reaches the wallet', async () =>
      (await call('GET', '/api/v1/wallet', clientToken)).available.amount === walletBefore);
    assert(true, 'cancelling the late request refunded it in full');

    // The client's closing documents: the page renders (no act yet, nothing here was completed).
    await tid(client, 'nav-documents').click();
    await tid(client, 'documents-page').waitFor();
    await client.locator('[data-testid="documents-table"], [data-testid="documents-empty"]').first().waitFor();
    assert(await tid(client, 'documents-error').count() === 0, "the client's documents page renders");
    await client.screenshot({ path: out + '/10-client-documents.png' });

    // Logging out clears the cookie: a reload then lands on the login page.
    await tid(client, 'logout').click();
    await tid(client, 'login-email').waitFor();
    await client.reload();
    await tid(client, 'login-email').waitFor();
    assert(client.url().endsWith('/login'), 'after logout a reload lands on login');
    assert(!(await client.context().cookies(base + '/api/v1/auth/refresh')).some(c => c.name === 'hub_refresh'),
      'logout removed the refresh cookie');

    // The demo auditor lands on the ledger, sees its head, and downloads the CSV export:
    // fetched with the bearer token and saved through a blob, so it is a real download.
    auditor = await open();
    await auditor.goto(base + '/login');
    await tid(auditor, 'login-email').fill('auditor@hub.demo');
    await tid(auditor, 'login-password').fill('auditor-demo-2026');
    await tid(auditor, 'login-submit').click();
    await tid(auditor, 'ledger-page').waitFor();
    assert(await tid(auditor, 'nav-documents').count() === 1, 'the auditor has the documents in the nav');
    await tid(auditor, 'ledger-head-hash').waitFor();
    const headHash = (await tid(auditor, 'ledger-head-hash').textContent()).trim();
    assert(/^[0-9a-f]{64}$/i.test(headHash), `the ledger head shows the head hash (${headHash})`);
    await tid(auditor, 'ledger-format-csv').check();
    const [download] = await Promise.all([
      auditor.waitForEvent('download'),
      tid(auditor, 'ledger-download').click(),
    ]);
    const bytes = fs.readFileSync(await download.path());
    assert(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf, 'the CSV export starts with the UTF-8 BOM');
    const csv = bytes.subarray(3).toString('utf8');
    assert(csv.startsWith('seq,recorded_at,'), `the CSV export starts with its header (${csv.split('\n')[0]})`);
    assert(csv.includes(headHash), 'the export holds the head hash shown before it');
    await tid(auditor, 'ledger-saved').waitFor();
    assert(true, `the auditor saved ${download.suggestedFilename()}`);
    await auditor.screenshot({ path: out + '/11-auditor-ledger.png' });

    assert(errors.length === 0, 'no page errors: ' + errors.join('; '));
    console.log('e2e: passed');
  } catch (e) {
    await client.screenshot({ path: out + '/failure-client.png' }).catch(() => {});
    await provider.screenshot({ path: out + '/failure-provider.png' }).catch(() => {});
    if (auditor) await auditor.screenshot({ path: out + '/failure-auditor.png' }).catch(() => {});
    console.error(e.message);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
