import type { DemoCustomer, DemoSignInResponse } from '../../src/protocol/http';
import { forgetSignIn, remember, remembered } from './account';

/* The demo portal's customer sign-in, standing in for a real portal's login: the portal's server side (here the
 * service's demo endpoints) gives the signed-in customer a visitor token, and the page hands it to the widget with
 * window.Tandem.identify(). The token is kept for this tab only (sessionStorage), so a reload stays signed in. */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showError(text: string | undefined): void {
  $('account-error').textContent = text ?? '';
  $('account-error').hidden = !text;
}

function showSignedIn(customer: DemoCustomer | undefined): void {
  $('sign-in-form').hidden = !!customer;
  $('signed-in').hidden = !customer;
  $('customer-name').textContent = customer?.name ?? '';
  $('customer-id').textContent = customer?.id ?? '';
}

async function main(): Promise<void> {
  const response = await fetch('/api/demo/customers').catch(() => undefined);
  if (!response?.ok) return; // demo sign-in is off on this server
  const customers = (await response.json()) as DemoCustomer[];
  const select = $<HTMLSelectElement>('customer');
  for (const c of customers) {
    const option = document.createElement('option');
    option.value = c.id;
    option.textContent = c.name;
    select.append(option);
  }
  $('account').hidden = false;

  const saved = remembered();
  if (saved) {
    showSignedIn(saved.customer);
    window.Tandem?.identify(saved.token);
  }

  $('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      showError(undefined);
      const res = await fetch('/api/demo/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: select.value }),
      }).catch(() => undefined);
      if (!res?.ok) return showError('Sign-in failed. Try again.');
      const signedIn = (await res.json()) as DemoSignInResponse;
      remember(signedIn);
      showSignedIn(signedIn.customer);
      window.Tandem?.identify(signedIn.token);
      $('sign-out').focus();
    })();
  });

  $('sign-out').addEventListener('click', () => {
    forgetSignIn();
    window.Tandem?.forget();
    showSignedIn(undefined);
    $('customer').focus();
  });
}

void main();
