export * from './services.js';
export * from './stack.js';
export * from './memory.js';
