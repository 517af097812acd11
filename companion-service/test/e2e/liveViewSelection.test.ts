import type { ControlInputAction } from '../../src/protocol/controlActions';
import { FOCUS_EVENT } from '../../web/cobrowse/fieldWatcher';
import { e2eSuite } from '../helpers/e2eSuite';
import { sendPageBatch, serializedNodes } from '../helpers/pageStream';
import { consoleTicket, devToken } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* The customer's text selection, as the page's recording carries it, and the agent's caret in a field of the live
 * view (web/cobrowse/customerRange.ts). The customer is a raw socket that sends the page and its selection changes
 * exactly when the test says, the agent the real console in Chromium. Applying a selection in the view moves the
 * view's own, and Chromium then reads the caret of the field the agent is typing in as 0: the agent's next key went
 * out with that caret, and on the customer's page the text went in at the start of the field. Seen, rarely, as the
 * React app's edit step typing "on SaturdayBook the van" (remoteControlApps), where the page's own selection came
 * back to the view a moment after the agent had clicked into the field. */

jest.setTimeout(120_000);

const suite = e2eSuite();
const now = () => Date.now();

const { el, text, documentOf } = serializedNodes();

it("a selection of the customer's that reaches the view while the agent types in a field leaves the agent's caret where it is", async () => {
  const visitor = await TestClient.connect(suite.server.wsUrl);
  suite.track(visitor);
  visitor.send({ type: 'visitor.start' });
  const { code } = await visitor.next('session.created');
  const agent = await suite.newPage();
  const ticket = await consoleTicket(suite.server, await devToken(suite.server, 'Ana Agent'), code);
  await agent.goto(`${suite.server.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`);
  await visitor.next('peer.joined', 10_000);
  await visitor.next('cobrowse.snapshot.needed', 10_000);

  // The page: a heading and a text field holding "Book the van".
  const headingText = text('Plan your move');
  const field = el('input', { type: 'text', id: 'title', value: 'Book the van', style: 'width: 400px' });
  const body = el('body', {}, [el('h1', {}, [headingText]), field]);
  const html = el('html', {}, [el('head'), body]);
  const documentNode = documentOf(html);
  let seq = 0;
  sendPageBatch(
    visitor,
    seq++,
    [
      { type: 4, data: { href: 'http://localhost/page', width: 1024, height: 768 }, timestamp: now() },
      { type: 2, data: { node: documentNode, initialOffset: { left: 0, top: 0 } }, timestamp: now() },
    ],
    true,
  );
  const view = agent.frameLocator('[data-testid="live-view"] iframe');
  await view.getByRole('heading', { name: 'Plan your move' }).waitFor({ timeout: 15_000 });

  // The agent takes control.
  await agent.getByRole('button', { name: 'Remote Control' }).click();
  await visitor.next('control.state', 10_000);
  visitor.send({ type: 'control.answer', granted: true });
  await agent
    .getByTestId('control-status')
    .filter({ hasText: 'You are controlling the customer\u2019s page' })
    .waitFor();

  // The agent clicks into the field, after its text: the customer's page says its caret is there (6 → 12).
  await view.locator('#title').click();
  sendPageBatch(
    visitor,
    seq++,
    [
      {
        type: 5,
        data: { tag: FOCUS_EVENT, payload: { id: field.id, start: 12, end: 12, direction: 'none', seq: 1000 } },
        timestamp: now(),
      },
    ],
    false,
  );
  await view.locator('#title').evaluate(
    (input: HTMLInputElement) =>
      new Promise<void>((resolve) => {
        const check = () => (input.selectionStart === 12 ? resolve() : setTimeout(check, 20));
        check();
      }),
  );

  // Then the customer's page says it has "Plan" of the heading selected (what the customer did, or the agent's own
  // double-click on it a moment before, coming back).
  await agent.waitForTimeout(200);
  visitor.received.splice(0); // what the click sent
  const actions: ControlInputAction[] = [];
  sendPageBatch(
    visitor,
    seq++,
    [
      {
        type: 3,
        data: { source: 14, ranges: [{ start: headingText.id, startOffset: 0, end: headingText.id, endOffset: 4 }] },
        timestamp: now(),
      },
    ],
    false,
  );
  // Long enough for the view to have applied it.
  await agent.waitForTimeout(300);

  // The agent types a letter: it goes out with the caret the agent had, or with none, never with 0.
  await agent.keyboard.press('X');
  for (;;) {
    const message = await visitor.next('control.input', 10_000);
    actions.push(message.action);
    if (message.action.kind === 'key' && message.action.key === 'X' && message.action.phase === 'down') break;
  }
  const key = actions.at(-1) as Extract<ControlInputAction, { kind: 'key' }>;
  expect(key.selection === undefined || key.selection.start === 12).toBe(true);
  expect(actions.filter((a) => a.kind === 'selectText')).toEqual([]);
  // And the field in the view still has its caret after the text.
  expect(await view.locator('#title').evaluate((input: HTMLInputElement) => input.selectionStart)).toBe(12);
});
