// @airport-mesh/k8s-tools as a library: the one cluster driver (shared by the demo CLI and the lab),
// the chaos API through the generated clients, and the offline resolution of names in renders.
export * from './cluster.js';
export * from './secrets.js';
export { chaosApi, type ChaosApi, type ChaosSettings, type ChaosState } from './chaos.js';
export { kubectlPath } from './kubectl.js';
export { render, renderTargets, parseManifests, type K8sObject } from './render.js';
export { find, podsFor, resolveIngress, secretRefs } from './resolve.js';
export { INGRESS_GATEWAY_PRINCIPAL, istioAllows, workloads } from './policy.js';
