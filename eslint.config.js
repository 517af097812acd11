'use strict';

// ESLint for the Salesforce package (force-app) only: `npm run lint:force-app`. The service is TypeScript and
// checked by tsc.
const { defineConfig } = require('eslint/config');
const lwcRecommended = require('@salesforce/eslint-config-lwc/recommended');
const jestPlugin = require('eslint-plugin-jest');
const globals = require('globals');

module.exports = defineConfig([
    {
        ignores: ['**/*', '!force-app/', '!force-app/**']
    },
    {
        files: ['force-app/main/default/lwc/**/*.js'],
        extends: [lwcRecommended]
    },
    {
        files: ['force-app/main/default/lwc/**/__tests__/**/*.js'],
        extends: [lwcRecommended],
        plugins: { jest: jestPlugin },
        rules: {
            '@lwc/lwc/no-unexpected-wire-adapter-usages': 'off'
        },
        languageOptions: {
            globals: { ...globals.node, ...globals.jest }
        }
    },
    {
        files: ['force-app/test/**/*.js'],
        languageOptions: {
            sourceType: 'commonjs',
            globals: { ...globals.node }
        }
    }
]);
