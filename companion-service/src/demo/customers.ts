import type { DemoCustomer } from '../protocol/http';

/** The demo portal's customers. Their ids look like Salesforce Contact ids, as a real portal's would. */
export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [
  { id: '003DEMO000000001', name: 'Maya Jensen' },
  { id: '003DEMO000000002', name: 'Omar Haddad' },
  { id: '003DEMO000000003', name: 'Lucia Ferreira' },
];
