import type { FastifyPluginAsync } from 'fastify';
import { sendError } from '../auth/bearer';
import type { Config } from '../config/schema';
import { signVisitorToken } from '../identity/visitorToken';
import { ErrorCode } from '../protocol/codes';
import { DemoCustomer, DemoSignInRequest, DemoSignInResponse, ErrorBody } from '../protocol/http';
import { Type } from '@sinclair/typebox';
import { DEMO_CUSTOMERS } from './customers';

/** The demo portal's own "server side": a customer sign-in that mints visitor tokens for the "demo" site, the way
 * a real portal's server would with its site key. Only when `demoPortal` is on. */
export const demoPlugin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const site = config.sites.find((s) => s.id === 'demo');
  if (!config.demoPortal || !site) return;

  app.get(
    '/api/demo/customers',
    { schema: { response: { 200: Type.Array(DemoCustomer) } } },
    async () => DEMO_CUSTOMERS,
  );

  app.post<{ Body: DemoSignInRequest }>(
    '/api/demo/sign-in',
    { schema: { body: DemoSignInRequest, response: { 200: DemoSignInResponse, '4xx': ErrorBody } } },
    async (request, reply) => {
      const customer = DEMO_CUSTOMERS.find((c) => c.id === request.body.customerId);
      if (!customer) return sendError(reply, ErrorCode.Unauthorized);
      const { token, claims } = signVisitorToken(
        { site: site.id, sub: customer.id, name: customer.name },
        site.signingSecret,
        Date.now(),
        config.visitorTokenTtlSeconds,
      );
      return { token, expiresAt: claims.exp * 1000, customer };
    },
  );
};
