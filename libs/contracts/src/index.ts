export * from './camera-event.js';
export * from './frame-id.js';
export * from './problem.js';
