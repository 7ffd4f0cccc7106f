//go:build tools

// Package tools records the Prometheus server scripts/build-k8s-tools.sh builds for the air-gapped node's
// observability stack (stage B, docs/air-gapped.md), so `go mod tidy` keeps its dependencies. Built from
// source rather than taken from Debian: Debian's prometheus package leaves out Kubernetes service discovery,
// which the manifests' scrape configuration needs.
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/prometheus"
)
