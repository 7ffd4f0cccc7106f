//go:build tools

// Package tools records the etcd server scripts/build-k8s-tools.sh builds, so `go mod tidy` keeps
// its dependencies in go.mod and go.sum. etcd has a module of its own, apart from tools/k8s, so it is
// built with the dependency versions its release was tested with, not Kubernetes' newer ones.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
)
