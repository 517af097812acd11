/** One jest run covers every suite: `npm test`. */
// The Salesforce package's Lightning Web Components run on sfdx-lwc-jest's own preset (jsdom, LWC compiler).
const { jestConfig: lwcJestConfig } = require('@salesforce/sfdx-lwc-jest/config');
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

module.exports = {
  // A guard: once the Redis and cluster tests came in, some test left a handle open and jest waited for it for ever.
  // On 2026-12-06 a full run without this exited on its own, and `npx jest --selectProjects service|browser
  // --detectOpenHandles` reported none; it stays because one more leak would stop CI for good rather than fail it.
  forceExit: true,
  projects: [
    {
      displayName: 'service',
      testEnvironment: 'node',
      roots: ['<rootDir>/companion-service/test'],
      testMatch: ['<rootDir>/companion-service/test/{unit,integration,security}/**/*.test.ts'],
      transform: { '^.+\\.ts$': swc },
    },
    {
      displayName: 'browser',
      testEnvironment: 'node',
      roots: ['<rootDir>/companion-service/test'],
      testMatch: ['<rootDir>/companion-service/test/e2e/**/*.test.ts'],
      transform: { '^.+\\.ts$': swc },
      slowTestThreshold: 30,
    },
    {
      ...lwcJestConfig,
      displayName: 'lwc',
      rootDir: __dirname,
      roots: ['<rootDir>/force-app', '<rootDir>/companion-service/test/lwc'],
      testMatch: ['<rootDir>/force-app/**/__tests__/**/*.test.js', '<rootDir>/companion-service/test/lwc/**/*.test.js'],
      setupFilesAfterEnv: [...lwcJestConfig.setupFilesAfterEnv, '<rootDir>/force-app/test/jest-setup.js'],
      collectCoverageFrom: ['<rootDir>/force-app/**/lwc/**/*.js'],
    },
  ],
};
