export * from './mutate.js';
export * from './runner.js';
export * from './schema.js';
