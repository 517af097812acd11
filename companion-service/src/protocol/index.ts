export * from './codes';
export * from './messages';
export * from './http';
export * from './errorText';
