//go:build tools

// Package tools records the Chaos Mesh programs scripts/build-k8s-tools.sh builds for the air-gapped
// node (docs/air-gapped.md), so `go mod tidy` keeps their dependencies: the controller manager and the
// daemon that the manifests under manifests/chaos-mesh run, and the daemon's helper (cdh).
package tools

import (
	_ "github.com/chaos-mesh/chaos-mesh/cmd/chaos-controller-manager"
	_ "github.com/chaos-mesh/chaos-mesh/cmd/chaos-daemon"
	_ "github.com/chaos-mesh/chaos-mesh/cmd/chaos-daemon-helper"
)
