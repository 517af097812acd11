/* Secrets of the tests' own, for services started with the development sign-in off: the service refuses the
 * secrets published in config/default.json then (src/config/publishedSecrets.ts). */

export const OWN_AGENT_TOKEN_SECRET = 'agent-token-secret-of-the-tests-0123456789';

/** The demo site with secrets of its own (the demo portal signs its customers in with them). */
export const OWN_DEMO_SITE = {
  id: 'demo',
  apiKey: 'demo-site-api-key-of-the-tests-0123',
  signingSecret: 'demo-site-signing-secret-of-the-tests-0123456789',
};

/** Config overrides that replace every published secret. */
export const OWN_SECRETS = { agentTokenSecret: OWN_AGENT_TOKEN_SECRET, sites: [OWN_DEMO_SITE] };
