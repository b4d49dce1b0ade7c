import { context } from '@opentelemetry/api';

/**
 * `fn`, bound to the trace that is current now: work deferred to a timer or a queue (a coalesced
 * push, a retry later) still joins the trace of the request that asked for it.
 */
export function inCurrentTrace<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return context.bind(context.active(), fn);
}
