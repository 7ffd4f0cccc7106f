//go:build tools

// Package tools records the Chaos Mesh programs the air-gapped node (docs/air-gapped.md) needs, so `go
// mod tidy` keeps their dependencies: the controller manager and the daemon that the manifests under
// manifests/chaos-mesh run, and the daemon's helper (cdh). scripts/build-k8s-tools.sh does not build
// them yet (docs/kubernetes.md, "Chaos Mesh").
package tools

import (
	_ "github.com/chaos-mesh/chaos-mesh/cmd/chaos-controller-manager"
	_ "github.com/chaos-mesh/chaos-mesh/cmd/chaos-daemon"
	_ "github.com/chaos-mesh/chaos-mesh/cmd/chaos-daemon-helper"
)
