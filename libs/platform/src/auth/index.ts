export * from './access.guard.js';
export * from './auth.options.js';
export * from './auth.service.js';
export * from './keys.js';
