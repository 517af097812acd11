'use strict';

// ESLint for the Salesforce package (force-app, `npm run lint:force-app`) and the companion service (TypeScript,
// typescript-eslint's recommended rules; types themselves are checked by tsc). `npm run lint` runs both.
const { defineConfig } = require('eslint/config');
const tseslint = require('typescript-eslint');
const lwcRecommended = require('@salesforce/eslint-config-lwc/recommended');
const jestPlugin = require('eslint-plugin-jest');
const globals = require('globals');

module.exports = defineConfig([
    {
        ignores: [
            '**/*',
            '!force-app/',
            '!force-app/**',
            '!companion-service/',
            '!companion-service/**',
            'companion-service/dist/**',
            'companion-service/build/**',
            'companion-service/test/fixtures/apps/**/dist/**'
        ]
    },
    {
        files: ['companion-service/**/*.ts'],
        extends: [tseslint.configs.recommended],
        languageOptions: { globals: { ...globals.node, ...globals.browser } },
        rules: {
            // Unused names are mistakes, except the ones that say they are unused on purpose.
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
            eqeqeq: ['error', 'always'],
            'no-console': 'off'
        }
    },
    {
        files: ['companion-service/**/*.mjs'],
        languageOptions: { sourceType: 'module', globals: { ...globals.node } }
    },
    {
        // The Salesforce package's components, and the customer's LWC site the e2e tests build.
        files: ['force-app/main/default/lwc/**/*.js', 'companion-service/test/fixtures/lwcSite/modules/**/*.js'],
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
