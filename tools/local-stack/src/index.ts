export * from './services.js';
export * from './stack.js';
