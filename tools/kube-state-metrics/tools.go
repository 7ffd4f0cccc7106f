//go:build tools

// Package tools records the kube-state-metrics server scripts/build-k8s-tools.sh builds for the air-gapped
// node's observability stack (stage B, docs/air-gapped.md), so `go mod tidy` keeps its dependencies. Its own
// module: kube-state-metrics pins its client-go apart from tools/k8s. Keep the version equal to the tag of
// versions.json images.kubeStateMetrics.
package tools

import (
	_ "k8s.io/kube-state-metrics/v2"
)
