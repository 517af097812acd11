import { remembered } from './account';

/* The demo portal's "Update your details" page, for trying cobrowse and remote control: plain fields, a private
 * section (data-tandem-mask) and a password the agent never sees, a field driven by a tiny state store the way
 * framework apps do it (the input shows what the state says, re-rendered on every input event), and two steps
 * switched with history.pushState, so Back and Forward work without loading the page. */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// --- a framework-style controlled input --------------------------------------------------------------------------

interface FormState {
  preferredName: string;
}

let state: FormState = { preferredName: '' };

function setState(next: Partial<FormState>): void {
  state = { ...state, ...next };
  render();
}

/** The page is a function of the state: the input's value is written back from it, like a controlled input. */
function render(): void {
  const input = $<HTMLInputElement>('preferred-name');
  if (input.value !== state.preferredName) input.value = state.preferredName;
  $('greeting').textContent = `Preferred name: ${state.preferredName || '(not set)'}`;
}

$('preferred-name').addEventListener('input', (event) => {
  const raw = (event.target as HTMLInputElement).value;
  // The store's own rule, so a test can tell app state from the raw DOM value.
  setState({ preferredName: raw.replace(/\s+/g, ' ').trimStart().slice(0, 40) });
});

// --- steps with pushState ---------------------------------------------------------------------------------------

const STEP_TITLES: Record<number, string> = { 1: 'Your details', 2: 'Review' };

function currentStep(): number {
  return new URLSearchParams(location.search).get('step') === '2' ? 2 : 1;
}

function showStep(step: number): void {
  $('step-1').hidden = step !== 1;
  $('step-2').hidden = step !== 2;
  $('step-indicator').textContent = `Step ${step} of 2: ${STEP_TITLES[step]}`;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('.steps a')) {
    if (Number(link.dataset.step) === step) link.setAttribute('aria-current', 'step');
    else link.removeAttribute('aria-current');
  }
}

for (const link of document.querySelectorAll<HTMLAnchorElement>('.steps a')) {
  link.addEventListener('click', (event) => {
    event.preventDefault();
    const step = Number(link.dataset.step);
    if (step === currentStep()) return;
    history.pushState({ step }, '', `?step=${step}`);
    showStep(step);
  });
}
window.addEventListener('popstate', () => showStep(currentStep()));

// --- saving (nothing leaves the page in the demo) -------------------------------------------------------------

$('details-form').addEventListener('submit', (event) => {
  event.preventDefault();
  $('saved').textContent = 'Your changes are saved.';
});

// --- the signed-in customer, for 1-click calls ------------------------------------------------------------------

const signedIn = remembered();
if (signedIn) {
  $('sign-in-note').textContent =
    `Signed in as ${signedIn.customer.name}. An agent can call you in one click while this page is open.`;
  window.Tandem?.identify(signedIn.token);
}

showStep(currentStep());
render();
