// Command terraform-provider-ipamorg is a Terraform provider (protocol 6)
// built on the ipamorg library: IPAM's integration with AWS Organizations
// as a resource, what IPAM monitors as a data source, and a resource that
// waits until IPAM monitors every account.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/ipamorg/sdk/examples/terraform-provider-ipamorg/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	debug := flag.Bool("debug", false, "run the provider with support for debuggers (prints TF_REATTACH_PROVIDERS)")
	flag.Parse()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   *debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
