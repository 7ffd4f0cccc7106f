//go:build tools

// Package tools records the Kubernetes commands scripts/build-k8s-tools.sh builds, so `go mod tidy`
// keeps every module they need in go.mod and go.sum. The build tag keeps it out of any real build.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
)
