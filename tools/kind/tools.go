//go:build tools

// Package tools records the kind CLI scripts/build-k8s-tools.sh builds (sigs.k8s.io/kind is the CLI's
// main package), so `go mod tidy` keeps its dependencies. Its own module: kind pins the client libraries
// its release was tested with, apart from tools/k8s. Keep the version equal to versions.json tools.kind.
package tools

import (
	_ "sigs.k8s.io/kind"
)
