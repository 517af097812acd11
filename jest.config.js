/** One jest run covers every suite: `npm test`. */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

module.exports = {
  projects: [
    {
      displayName: 'service',
      testEnvironment: 'node',
      roots: ['<rootDir>/companion-service/test'],
      testMatch: ['<rootDir>/companion-service/test/{unit,integration}/**/*.test.ts'],
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
  ],
};
