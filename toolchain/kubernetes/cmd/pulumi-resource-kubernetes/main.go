// Command pulumi-resource-kubernetes is the Pulumi Kubernetes provider, built offline by govcloud.
//
// Upstream's main package embeds two JSON files that its release pipeline generates and that are
// not part of the Go module. govcloud's toolchain build (govcloud/toolchain/build.py) writes them
// next to this file from the module's schema.json (with the release version stamped in) and
// terraform-mapping.json, then builds this package.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
