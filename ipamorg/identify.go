package ipamorg

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/internal/awscall"
)

// identity is who is calling and where: the preamble that Observe,
// Monitoring and the fleet verification share.
type identity struct {
	caller caller
	org    *orgtypes.Organization
	// management is the organization's management account, and
	// partition the AWS partition of the organization ("aws", "aws-cn",
	// ...), for the ARNs of roles in its accounts.
	management, partition string
	// admins are IPAM's delegated administrators as listed ("" for an
	// entry without an id), and adminsErr the error of their read, which
	// each caller weighs: Observe forgives AccessDenied to a member
	// account, the fleet verification to a caller that does not repair,
	// Monitoring never.
	admins    []string
	adminsErr error
}

// identify reads, at once, who the caller is (sts:GetCallerIdentity), its
// organization (organizations:DescribeOrganization) and IPAM's delegated
// administrators (organizations:ListDelegatedAdministrators), running each
// of also in a goroutine of its own alongside, and waits for them all. It
// fails with the errors of the first two, joined (see
// awscall.JoinErrors); the administrators' is the identity's adminsErr. A
// read whose goroutine ends without returning is awscall.ErrNoAnswer: the
// errors that also's functions set should start as that too.
func (c *Client) identify(ctx context.Context, also ...func()) (*identity, error) {
	var wg sync.WaitGroup
	id := &identity{adminsErr: awscall.ErrNoAnswer}
	callerErr, orgErr := awscall.ErrNoAnswer, awscall.ErrNoAnswer
	wg.Go(func() { id.caller, callerErr = c.readCaller(ctx) })
	wg.Go(func() { id.org, orgErr = c.readOrganization(ctx) })
	wg.Go(func() { id.admins, id.adminsErr = c.readDelegatedAdmins(ctx) })
	for _, fn := range also {
		wg.Go(fn)
	}
	wg.Wait()
	if err := awscall.JoinErrors(ctx, orgErr, callerErr); err != nil {
		return nil, err
	}
	id.management = aws.ToString(id.org.MasterAccountId)
	id.partition = partitionOf(aws.ToString(id.org.Arn), id.caller.arn)
	return id, nil
}

// warnings are the anomalies of the identity itself: an empty caller or
// management account id.
func (id *identity) warnings() []Warning {
	return identityWarnings(id.caller.account, id.management)
}
