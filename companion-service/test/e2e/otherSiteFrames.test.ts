import { serveFiles, type ServedFiles } from '../helpers/appFixtures';
import { e2eSuite } from '../helpers/e2eSuite';
import { decodePageStream } from '../helpers/pageStream';
import { people, visitorStartsHere } from '../helpers/people';

/* A customer's checkout page with a payment form from another site in a frame, as shops have it, and a frame of the
 * shop's own. In real Chromium with the real widget and console: the customer's browser does not let the page (or
 * the recorder) into the other site's frame, so the live view can't show it; it says where that content comes from
 * (the site only, never the frame's address, which may carry the customer's tokens) instead of an empty box, and
 * shows the shop's own frame as it is. */

jest.setTimeout(120_000);

const suite = e2eSuite();
const { newPage } = suite;
const { consoleFor } = people(suite);

let paymentSite: ServedFiles;
let shop: ServedFiles;

beforeAll(async () => {
  paymentSite = await serveFiles({
    '/pay.html': {
      type: 'text/html; charset=utf-8',
      body: '<!doctype html><title>Pay</title><h1>Card payment</h1><label>Card number <input></label>',
    },
  });
  const paymentFrame = `${paymentSite.url}pay.html?session=tok_secret_1234`;
  shop = await serveFiles({
    '/': {
      type: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout</title>
<script src="${suite.server.baseUrl}/widget.js" defer></script></head>
<body><h1>Checkout</h1>
<iframe id="payment" title="Payment" src="${paymentFrame}" style="width:400px;height:150px"></iframe>
<iframe id="own" title="Delivery" src="/delivery.html" style="width:400px;height:150px"></iframe>
</body></html>`,
    },
    '/delivery.html': {
      type: 'text/html; charset=utf-8',
      body: '<!doctype html><title>Delivery</title><p>Delivery on Tuesday</p>',
    },
  });
});
afterAll(async () => {
  await shop?.stop();
  await paymentSite?.stop();
});

describe('a frame from another site on the customer\u2019s page', () => {
  it('is shown in the live view as content from that site, and the page\u2019s own frame as it is', async () => {
    const customer = await newPage();
    await customer.goto(shop.url);
    await customer.frameLocator('#payment').getByRole('heading', { name: 'Card payment' }).waitFor();
    const agent = await consoleFor(await visitorStartsHere(customer), { recordSockets: true });

    const view = agent.frameLocator('[data-testid="live-view"] iframe');
    await view.getByRole('heading', { name: 'Checkout' }).waitFor({ timeout: 20_000 });
    const paymentHost = new URL(paymentSite.url).host;
    const payment = view.frameLocator('#payment').locator('body');
    await payment.getByText(`Content from ${paymentHost}.`).waitFor({ timeout: 10_000 });
    expect(await payment.textContent()).not.toContain('tok_secret');
    expect(await payment.textContent()).not.toContain('Card payment');
    await view.frameLocator('#own').getByText('Delivery on Tuesday').waitFor();
    expect(await view.frameLocator('#own').locator('body').textContent()).not.toContain('Content from');

    // A frame the page adds later (a form shown at the last step) is labelled too.
    await customer.evaluate((src) => {
      const frame = document.createElement('iframe');
      frame.id = 'later';
      frame.title = 'Card check';
      frame.src = src;
      document.body.append(frame);
    }, `${paymentSite.url}pay.html?step=3`);
    await view.frameLocator('#later').getByText(`Content from ${paymentHost}.`).waitFor({ timeout: 10_000 });

    // Nothing of the frames' addresses but their site reached the agent.
    const received = await agent.evaluate(
      () => (window as unknown as { __ws: { received: { type: string }[] } }).__ws.received,
    );
    const { text } = decodePageStream(received);
    expect(text).toContain(paymentHost);
    expect(text).not.toContain('tok_secret');
    expect(text).not.toContain('pay.html');
  });
});
