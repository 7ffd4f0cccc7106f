//go:build tools

// Package tools records the Jaeger v2 binary scripts/build-k8s-tools.sh builds for the air-gapped node's
// observability stack (stage B, docs/air-gapped.md), so `go mod tidy` keeps its dependencies. Jaeger v2
// releases are tagged twice in one module: v2.N.0 is the Go module version v1.(N+64).0.
package tools

import (
	_ "github.com/jaegertracing/jaeger/cmd/jaeger"
)
