package awsclient

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Clients bundles one client for each AWS service the library calls. The
// zero value is not usable; build one with NewFromConfig, or fill every
// field (with mocks, say) and check it with Validate.
type Clients struct {
	Organizations OrganizationsAPI
	EC2           EC2API
	STS           STSAPI
	IAM           IAMAPI
}

// NewFromConfig returns the SDK's clients for cfg, which should hold the
// management account's credentials. It makes no AWS call.
func NewFromConfig(cfg aws.Config) Clients {
	return Clients{
		Organizations: organizations.NewFromConfig(cfg),
		EC2:           ec2.NewFromConfig(cfg),
		STS:           sts.NewFromConfig(cfg),
		IAM:           iam.NewFromConfig(cfg),
	}
}

// ErrMissingClient is returned by Validate when a field of Clients is nil.
var ErrMissingClient = errors.New("awsclient: missing client")

// Validate reports, wrapping ErrMissingClient, every nil field of c.
func (c Clients) Validate() error {
	var errs []error
	for _, f := range []struct {
		name    string
		missing bool
	}{
		{"Organizations", c.Organizations == nil},
		{"EC2", c.EC2 == nil},
		{"STS", c.STS == nil},
		{"IAM", c.IAM == nil},
	} {
		if f.missing {
			errs = append(errs, fmt.Errorf("%w: %s", ErrMissingClient, f.name))
		}
	}
	return errors.Join(errs...)
}
