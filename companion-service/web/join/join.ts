import type { AgentTokenResponse, ConsoleTicketResponse, ErrorBody, PublicConfig } from '../../src/protocol/http';
import { consoleUrl, isConsoleEnded } from '../shared/consoleHandoff';
import { CONSOLE_BUSY_TEXT, ConsoleWindow } from './consoleWindow';
import { CustomerList } from './customers';
import { completeSalesforceSignIn, salesforceSignInStatus } from './salesforceSignIn';
import { forgetAgent, rememberAgent, signedInAgent } from './signedInAgent';

/* The agent join page: sign in (with Salesforce, or the development sign-in where enabled), type the visitor's key, Join opens the
 * agent console in its own window with a single-use ticket. With the demo portal on, a second tab lists the
 * portal's customers with live presence and a 1-click Join. */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showError(id: string, text: string | undefined): void {
  const node = $(id);
  node.textContent = text ?? '';
  node.hidden = !text;
}

async function postJson<T>(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ ok: true; data: T } | { ok: false; error: ErrorBody }> {
  try {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    const data = (await response.json()) as T | ErrorBody;
    return response.ok ? { ok: true, data: data as T } : { ok: false, error: data as ErrorBody };
  } catch {
    return {
      ok: false,
      error: { code: 'network', message: 'The Tandem service cannot be reached. Check your connection and try again.' },
    };
  }
}

interface SignInOptions {
  devSignIn: boolean;
  salesforce: boolean;
}

let customers: CustomerList | undefined;

function render(config: PublicConfig, signIn: SignInOptions): void {
  const agent = signedInAgent();
  $('sign-in').hidden = !!agent;
  $('join').hidden = !agent;
  $('salesforce-sign-in').hidden = !signIn.salesforce;
  $('dev-form').hidden = !signIn.devSignIn;
  $('dev-off').hidden = signIn.devSignIn || !signIn.salesforce;
  $('no-sign-in').hidden = signIn.devSignIn || signIn.salesforce;
  if (agent) {
    $('agent-label').textContent = agent.name;
    $('session-key').focus();
  }
  if (!config.demoPortal) return;
  if (agent && !customers) {
    customers = new CustomerList({
      token: () => signedInAgent()?.token,
      signedOut: (message) => {
        forgetAgent();
        render(config, signIn);
        showError('sign-in-error', message);
      },
    });
    void customers.start();
  } else if (!agent && customers) {
    customers.stop();
    customers = undefined;
  }
}

/** Two ways to join, as tabs (arrow keys move between them). Shown only where the demo portal is on. */
function setUpTabs(): void {
  const tabs = [$<HTMLButtonElement>('tab-key'), $<HTMLButtonElement>('tab-customers')];
  const panels = [$('panel-key'), $('panel-customers')];
  $('join-tabs').hidden = false;
  $('join-title').textContent = 'Join a session';
  panels[0]!.setAttribute('role', 'tabpanel');
  panels[0]!.setAttribute('aria-labelledby', 'tab-key');
  const select = (index: number, focus: boolean) => {
    tabs.forEach((tab, i) => {
      const selected = i === index;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      panels[i]!.hidden = !selected;
    });
    if (focus) tabs[index]!.focus();
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(i, false));
    tab.addEventListener('keydown', (event) => {
      const last = tabs.length - 1;
      const next =
        event.key === 'ArrowRight'
          ? i === last
            ? 0
            : i + 1
          : event.key === 'ArrowLeft'
            ? i === 0
              ? last
              : i - 1
            : event.key === 'Home'
              ? 0
              : event.key === 'End'
                ? last
                : -1;
      if (next < 0) return;
      event.preventDefault();
      select(next, true);
    });
  });
}

async function main(): Promise<void> {
  const progress = $('sign-in-progress');
  const returning = /(^#|&)salesforce/.test(window.location.hash);
  $('sign-in').hidden = false;
  progress.textContent = returning ? 'Finishing Salesforce sign-in\u2026' : 'Loading\u2026';
  const [config, salesforce, outcome] = await Promise.all([
    fetch('/api/config').then((r) => r.json() as Promise<PublicConfig>),
    salesforceSignInStatus(),
    completeSalesforceSignIn(),
  ]);
  progress.textContent = '';
  const signIn: SignInOptions = { devSignIn: config.devSignIn, salesforce: salesforce.enabled };
  if (outcome.kind === 'signed-in') rememberAgent(outcome.agent);
  if (config.demoPortal) setUpTabs();
  render(config, signIn);
  if (outcome.kind === 'failed') showError('sign-in-error', outcome.message);

  $<HTMLFormElement>('dev-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = $<HTMLInputElement>('agent-name').value.trim();
    if (!name) return showError('sign-in-error', 'Enter your name.');
    const result = await postJson<AgentTokenResponse>('/api/dev/sign-in', { name });
    if (!result.ok) return showError('sign-in-error', result.error.message);
    showError('sign-in-error', undefined);
    rememberAgent(result.data);
    render(config, signIn);
  });

  $('sign-out').addEventListener('click', () => {
    forgetAgent();
    render(config, signIn);
  });

  // The session the key panel's status is about, so that the console's word of its end can replace it.
  let sessionInStatus: { id: string; key: string } | undefined;
  const showJoinStatus = (text: string, session?: { id: string; key: string }) => {
    $('join-status').textContent = text;
    sessionInStatus = session;
  };
  window.addEventListener('message', (event) => {
    if (event.origin !== window.location.origin || !isConsoleEnded(event.data)) return;
    if (event.data.sessionId !== sessionInStatus?.id) return;
    showJoinStatus(`Session ${sessionInStatus.key} has ended.`);
  });

  $<HTMLFormElement>('join-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    showJoinStatus('');
    const input = $<HTMLInputElement>('session-key');
    const key = input.value.replace(/\s+/g, '');
    if (!new RegExp(`^[0-9]{${config.codeLength}}$`).test(key)) {
      input.setAttribute('aria-invalid', 'true');
      return showError('join-error', `The key is ${config.codeLength} digits.`);
    }
    input.removeAttribute('aria-invalid');
    const agent = signedInAgent();
    if (!agent) return render(config, signIn);
    // Open the console inside the click so popup blockers allow it; it loads while the ticket is fetched.
    const consoleWindow = ConsoleWindow.open(() => {
      showJoinStatus('');
      showError('join-error', CONSOLE_BUSY_TEXT);
    });
    if (consoleWindow?.inSession) {
      consoleWindow.show();
      return showError('join-error', CONSOLE_BUSY_TEXT);
    }
    const button = $<HTMLButtonElement>('join-button');
    button.disabled = true;
    button.textContent = 'Joining…';
    showError('join-error', undefined);
    $('popup-blocked').hidden = true;
    const result = await postJson<ConsoleTicketResponse>('/api/agent/console-tickets', { code: key }, agent.token);
    button.disabled = false;
    button.textContent = 'Join';
    if (!result.ok) {
      consoleWindow?.close();
      if (result.error.code === 'unauthorized' || result.error.code === 'token_expired') {
        forgetAgent();
        render(config, signIn);
        return showError('sign-in-error', result.error.message);
      }
      input.setAttribute('aria-invalid', 'true');
      return showError('join-error', result.error.message);
    }
    if (consoleWindow) {
      consoleWindow.deliver(result.data.ticket);
      input.value = '';
      // The console may be behind this window or on another screen: say where the session went.
      showJoinStatus(`Session ${key} is in your console window.`, { id: result.data.sessionId, key });
    } else {
      $<HTMLAnchorElement>('console-link').href = consoleUrl(result.data.ticket);
      $('popup-blocked').hidden = false;
    }
  });
}

void main();
