export * from './chaos.controller.js';
export * from './chaos.dto.js';
export * from './chaos.service.js';
export * from './prng.js';
