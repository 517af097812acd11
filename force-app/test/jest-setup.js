// LWC jest setup: the @sa11y/jest matcher `toBeAccessible()` (axe-core rules as Salesforce applies them).
const { setup } = require('@sa11y/jest');

setup();
