//go:build tools

// Package tools records the CoreDNS server scripts/build-k8s-tools.sh builds for the air-gapped node
// (stage B, docs/air-gapped.md), so `go mod tidy` keeps its dependencies. Its own module: CoreDNS pins
// client-go and friends apart from tools/k8s.
package tools

import (
	_ "github.com/coredns/coredns"
)
