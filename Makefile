# firedrill — the two commands a new user needs are `make demo` and `make test`.
SHELL := /bin/bash
SCENARIO ?= scenarios/shop/payment-latency.yaml
OUT ?= out

.PHONY: setup build demo test lint typecheck check clean

setup: ## install npm packages, Prometheus, Alertmanager, Redis, PostgreSQL (Debian/Ubuntu), build
	./scripts/install-prereqs.sh

build:
	npm run --silent build

demo: setup ## run one scenario on the local substrate and verify its bundle
	mkdir -p $(OUT)
	set -o pipefail; ./bin/firedrill.js run $(SCENARIO) --out $(OUT) --force | tee $(OUT)/.last-bundles
	./bin/firedrill.js bundle verify "$$(tail -n 1 $(OUT)/.last-bundles)"

test: setup ## the test command CI runs (.ci/run calls exactly this): unit and e2e projects side by side
	./scripts/test.sh $(JEST_ARGS)

typecheck:
	npm run --silent typecheck

lint:
	npm run --silent lint

check: typecheck lint test

clean:
	rm -rf dist out coverage

.PHONY: corpus
corpus: setup ## every shipped scenario x 2 repeats on the local substrate into out/corpus (re-run to resume)
	./bin/firedrill.js corpus run scenarios/shop --substrate local --repeats 2 --out $(OUT)/corpus --resume

.PHONY: node-prereqs local-images test-image
node-prereqs: ## apt-get install Docker, debootstrap, containerd, runc, CNI plugins; start dockerd (root; docs/air-gapped.md)
	./scripts/install-node-prereqs.sh

local-images: node-prereqs ## build every image the manifests name, without a registry (root, Go; docs/air-gapped.md)
	./scripts/make-local-images.sh

test-image: setup ## run every shop Deployment as a container of the locally built images and check readiness, metrics, traces
	FIREDRILL_E2E=image npm run test:e2e -- --testPathPatterns=tests/image

.PHONY: node-tools test-cluster cluster-up cluster-down
node-tools: k8s-tools ## also build kubelet, kube-scheduler, kube-proxy and CoreDNS (stage B, docs/air-gapped.md)
	./scripts/build-k8s-tools.sh kubelet kube-scheduler kube-proxy coredns

test-cluster: setup node-tools ## shop and shipped scenarios on a real node built here (root; needs local-images)
	FIREDRILL_E2E=cluster npm run test:e2e -- --runInBand --testPathPatterns=tests/cluster

cluster-up: setup node-tools ## a real one-node cluster here until Ctrl-C; prints its kubeconfig (root; needs local-images)
	node --import tsx scripts/local-cluster.ts up

cluster-down: ## remove what a killed cluster-up left behind (processes, pods, mounts, bridge, iptables rules)
	node --import tsx scripts/local-cluster.ts down

.PHONY: k8s-tools test-apiserver test-kind-cli chaos-mesh-manifests
chaos-mesh-manifests: ## render Chaos Mesh's chart (the module tools/chaos-mesh pins) into manifests/chaos-mesh (Go; docs/kubernetes.md)
	./scripts/render-chaos-mesh.sh

k8s-tools: ## build etcd, kube-apiserver, kube-controller-manager, kubectl, kind from Go modules (docs/air-gapped.md)
	./scripts/build-k8s-tools.sh

test-kind-cli: setup ## the kind CLI wrapper against real kind (built by k8s-tools) and Docker (needs local-images)
	FIREDRILL_E2E=kind-cli npm run test:e2e -- --testPathPatterns=tests/kube/kind-cli

test-apiserver: setup k8s-tools ## ClusterApi and the object faults against a real API server built by k8s-tools
	FIREDRILL_E2E=apiserver npm run test:e2e -- --testPathPatterns=tests/apiserver

.PHONY: browser test-report test-reproduce test-reproduce-all test-interrupt-all test-otlp
browser: ## install Debian's chromium for the HTML report's browser test (scripts/install-browser.sh)
	./scripts/install-browser.sh

test-report: setup browser ## the HTML report in headless Chromium: charts and timeline drawn, no console error, no request
	npm test -- tests/report src/report --selectProjects unit

test-reproduce: setup ## firedrill reproduce of two short local scenarios, and of one edited to another fault (~15 min; pull requests)
	FIREDRILL_E2E=reproduce npm run test:e2e -- --runInBand --testPathPatterns=tests/e2e/reproduce

test-reproduce-all: setup ## nightly: firedrill reproduce of every shipped local scenario (about 5 min per scenario on 2 cores)
	FIREDRILL_E2E=reproduce FIREDRILL_E2E_ALL=1 npm run test:e2e -- --runInBand --testPathPatterns=tests/e2e/reproduce

test-interrupt-all: setup ## nightly: Ctrl-C in all five phases of a local run (make test covers three of them)
	FIREDRILL_E2E_ALL=1 npm run test:e2e -- --runInBand --testPathPatterns=tests/e2e/local-interrupt

test-otlp: setup ## the OTLP export read back by Jaeger v2, built from its Go module by build-k8s-tools.sh
	./scripts/build-k8s-tools.sh jaeger
	FIREDRILL_E2E=jaeger npm run test:e2e -- --testPathPatterns=tests/export
