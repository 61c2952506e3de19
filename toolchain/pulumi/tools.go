//go:build tools

// Package tools pins the Pulumi CLI module so `go mod tidy` keeps it in go.mod and go.sum.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
