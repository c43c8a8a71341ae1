// End-to-end browser test against a real `hub dev` (see run.sh): a client registers
// through the page, logs out and in again, tops up (approving the payment on the
// sandbox, which settles it through the signed webhook), creates a request, and a
// logged-in provider of that service type sees it appear live (SSE), without reload.
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
    page.setDefaultTimeout(20000);
    return page;
  };
  const tid = (page, id) => page.locator(`[data-testid="${id}"]`);
  const provider = await open();
  const client = await open();
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

    // Money for the escrow: a top-up through the API with the page's own token;
    // it settles only when the payment gateway (the sandbox) calls back.
    const topUp = await client.evaluate(async () => {
      const session = JSON.parse(localStorage.getItem('hub.session'));
      const res = await fetch('/api/v1/commands/wallet/top-ups', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer ' + session.access_token,
          'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({ amount: '100000.00' }),
      });
      return { status: res.status, body: await res.json() };
    });
    assert(topUp.status === 201, `top-up accepted (${topUp.status})`);
    const payment = topUp.body.payment_id;
    // Approve on the web app's payment page when it has one (data-testid
    // "pay-approve" at payment_url), else through the sandbox's API.
    const payPage = await client.context().newPage();
    await payPage.goto(base + topUp.body.payment_url);
    const approveButton = tid(payPage, 'pay-approve');
    const hasPayPage = await approveButton.waitFor({ timeout: 3000 }).then(() => true, () => false);
    if (hasPayPage) {
      await payPage.screenshot({ path: out + '/1b-payment-page.png' });
      await approveButton.click();
    } else {
      const approved = await payPage.evaluate(async (id) =>
        (await fetch(`/api/v1/payments/sandbox/${id}/approve`, { method: 'POST' })).status, payment);
      assert(approved === 202, `payment approved on the sandbox API (${approved})`);
    }
    let paid = 'pending';
    for (let i = 0; i < 100 && paid === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      paid = await payPage.evaluate(async (id) =>
        (await (await fetch(`/api/v1/payments/sandbox/${id}`)).json()).status, payment);
    }
    assert(paid === 'settled', `top-up settled by the signed webhook (${paid}, ${hasPayPage ? 'payment page' : 'sandbox API'})`);
    await payPage.close();

    // The client creates a request.
    await tid(client, 'nav-new-request').click();
    await tid(client, 'new-request-form').waitFor();
    await tid(client, 'new-request-service').selectOption('legal');
    await tid(client, 'new-request-plan-one_off').check();
    await tid(client, 'new-request-description').fill(description);
    await client.screenshot({ path: out + '/2-new-request.png' });
    await tid(client, 'new-request-submit').click();
    await tid(client, 'subscriptions-page').waitFor();
    await client.locator('[data-testid="request-row"]', { hasText: description }).waitFor();
    assert(true, "the request is in the client's list");
    await client.screenshot({ path: out + '/3-client-requests.png' });

    // ...and it appears live on the provider's page, without a reload.
    const row = provider.locator('[data-testid="request-row"]', { hasText: description });
    await row.waitFor();
    assert(await row.getAttribute('data-status') === 'requested', 'provider sees it live as requested');
    await provider.screenshot({ path: out + '/4-provider-live.png' });

    assert(errors.length === 0, 'no page errors: ' + errors.join('; '));
    console.log('e2e: passed');
  } catch (e) {
    await client.screenshot({ path: out + '/failure-client.png' }).catch(() => {});
    await provider.screenshot({ path: out + '/failure-provider.png' }).catch(() => {});
    console.error(e.message);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
