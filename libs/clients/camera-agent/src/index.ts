// The camera-agent service's generated client: SDK functions and types.
export * from './generated/index.js';
export { createClient, type Client } from './generated/client/index.js';
