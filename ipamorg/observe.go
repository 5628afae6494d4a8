package ipamorg

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Observe reads where the organization stands in the IPAM lifecycle. It
// writes nothing. Its five reads (sts:GetCallerIdentity,
// organizations:DescribeOrganization,
// organizations:ListAWSServiceAccessForOrganization,
// organizations:ListDelegatedAdministrators, iam:GetRole) run concurrently,
// each retried like any call.
//
// Anomalies are reported in Status.Warnings with the state still set. When
// the caller is not the management account, the management-only reads that
// AWS denies are reported as warnings, not errors. Errors are *Error:
// ErrOrganizationNotFound when the caller is in no organization,
// ErrAccessDenied when a read is denied to the management account.
func (c *Client) Observe(ctx context.Context) (*Status, error) {
	st, err := c.observe(ctx)
	if err != nil {
		return nil, asError("observe", err)
	}
	return st, nil
}

// observe is Observe with raw errors, for callers that add their own
// context.
func (c *Client) observe(ctx context.Context) (*Status, error) {
	var (
		wg                 sync.WaitGroup
		caller             string
		org                *orgtypes.Organization
		trusted            bool
		admins             []string
		role               bool
		callerErr, orgErr  error
		trustedErr, admErr error
		roleErr            error
	)
	wg.Go(func() { caller, callerErr = c.readCaller(ctx) })
	wg.Go(func() { org, orgErr = c.readOrganization(ctx) })
	wg.Go(func() { trusted, trustedErr = c.readTrustedAccess(ctx) })
	wg.Go(func() { admins, admErr = c.readDelegatedAdmins(ctx) })
	wg.Go(func() { role, roleErr = c.readServiceLinkedRole(ctx) })
	wg.Wait()
	if err := errors.Join(orgErr, callerErr); err != nil {
		return nil, err
	}

	st := &Status{
		CallerAccountID:     caller,
		ManagementAccountID: aws.ToString(org.MasterAccountId),
		OrganizationID:      aws.ToString(org.Id),
		FeatureSet:          string(org.FeatureSet),
	}
	management := st.CallerAccountID == st.ManagementAccountID
	if !management {
		// GetRole read the caller's own account, not the management
		// account the field is about.
		role, roleErr = false, nil
	}
	var unread []string
	for _, r := range []struct {
		what string
		err  *error
	}{
		{"trusted services", &trustedErr},
		{"delegated administrators", &admErr},
	} {
		if *r.err != nil && !management && classify(*r.err) == ErrAccessDenied {
			unread = append(unread, r.what)
			*r.err = nil
		}
	}
	if err := errors.Join(trustedErr, admErr, roleErr); err != nil {
		return nil, err
	}

	st.TrustedAccess = trusted
	st.ServiceLinkedRole = role
	st.settle(admins, unread)
	return st, nil
}

// settle completes st from its facts: DelegatedAdmin from admins (every
// delegated administrator read for ipam.amazonaws.com), then Warnings, from
// scratch, and State. unread names what the caller was denied reading.
func (st *Status) settle(admins, unread []string) {
	management := st.CallerAccountID == st.ManagementAccountID
	st.Warnings = []string{}
	if !management {
		st.Warnings = append(st.Warnings, fmt.Sprintf(warnNotManagement, st.CallerAccountID, st.ManagementAccountID))
	}
	for _, what := range unread {
		st.Warnings = append(st.Warnings, fmt.Sprintf(warnPartialRead, what))
	}
	st.DelegatedAdmin = ""
	if len(admins) > 0 {
		st.DelegatedAdmin = admins[0]
	}
	if len(admins) > 1 {
		st.Warnings = append(st.Warnings, fmt.Sprintf(warnManyAdmins, len(admins), admins))
	}
	if st.TrustedAccess && !st.ServiceLinkedRole && management {
		st.Warnings = append(st.Warnings, warnWrongEnablePath)
	}
	if st.DelegatedAdmin != "" && !st.TrustedAccess {
		st.Warnings = append(st.Warnings, fmt.Sprintf(warnAdminWithoutTrust, st.DelegatedAdmin))
	}
	st.State = recognise(st)
}

// The confirmation of a step re-reads only the fact the step changes, not
// everything Observe reads: after a write, each poll makes one read (see
// waitFor). What it returns is the status before the step, prev, brought up
// to date with that fact: a copy of prev with the fact replaced, the fields
// the read does not cover keeping the value last observed, and State and
// Warnings recomputed (settle) as Observe would from the same facts.
//
// Steps are taken only by the management account (the guards refuse
// anyone else before any write), so prev holds no warning about a partial
// read, the one kind settle could not recompute here.

// rereadAdmins re-reads the delegated administrators of ipam.amazonaws.com
// (organizations:ListDelegatedAdministrators) into prev. implied, if not
// nil, is then applied to the copy with the administrators read: the
// effects, besides the administrator, of a write that admins show.
func (c *Client) rereadAdmins(ctx context.Context, prev *Status, implied func(st *Status, admins []string)) (*Status, error) {
	admins, err := c.readDelegatedAdmins(ctx)
	if err != nil {
		return nil, err
	}
	st := *prev
	if implied != nil {
		implied(&st, admins)
	}
	st.settle(admins, nil)
	return &st, nil
}

// rereadTrustedAccess re-reads whether trusted access for
// ipam.amazonaws.com is enabled
// (organizations:ListAWSServiceAccessForOrganization) into prev.
func (c *Client) rereadTrustedAccess(ctx context.Context, prev *Status) (*Status, error) {
	on, err := c.readTrustedAccess(ctx)
	if err != nil {
		return nil, err
	}
	st := *prev
	st.TrustedAccess = on
	st.settle(prev.admins(), nil)
	return &st, nil
}

// rereadServiceLinkedRole re-reads whether AWSServiceRoleForIPAM exists in
// the management account, the caller's (iam:GetRole), into prev.
func (c *Client) rereadServiceLinkedRole(ctx context.Context, prev *Status) (*Status, error) {
	on, err := c.readServiceLinkedRole(ctx)
	if err != nil {
		return nil, err
	}
	st := *prev
	st.ServiceLinkedRole = on
	st.settle(prev.admins(), nil)
	return &st, nil
}

// admins returns the delegated administrators st records: DelegatedAdmin,
// if any. A second one shows only in st's warnings, and does not matter
// here: the steps that do not re-read the administrators (disable trusted
// access, delete the role) start from a state without any.
func (st *Status) admins() []string {
	if st.DelegatedAdmin == "" {
		return nil
	}
	return []string{st.DelegatedAdmin}
}

func (c *Client) readCaller(ctx context.Context) (string, error) {
	out, err := call(ctx, c, "sts:GetCallerIdentity", func(ctx context.Context) (*sts.GetCallerIdentityOutput, error) {
		return c.aws.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Account), nil
}

func (c *Client) readOrganization(ctx context.Context) (*orgtypes.Organization, error) {
	out, err := call(ctx, c, "organizations:DescribeOrganization", func(ctx context.Context) (*organizations.DescribeOrganizationOutput, error) {
		return c.aws.Organizations.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	})
	if err != nil {
		return nil, err
	}
	if out.Organization == nil {
		return nil, errors.New("ipamorg: DescribeOrganization returned no organization")
	}
	return out.Organization, nil
}

func (c *Client) readTrustedAccess(ctx context.Context) (bool, error) {
	in := &organizations.ListAWSServiceAccessForOrganizationInput{}
	for {
		out, err := call(ctx, c, "organizations:ListAWSServiceAccessForOrganization", func(ctx context.Context) (*organizations.ListAWSServiceAccessForOrganizationOutput, error) {
			return c.aws.Organizations.ListAWSServiceAccessForOrganization(ctx, in)
		})
		if err != nil {
			return false, err
		}
		for _, p := range out.EnabledServicePrincipals {
			if aws.ToString(p.ServicePrincipal) == servicePrincipal {
				return true, nil
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return false, nil
		}
		in = &organizations.ListAWSServiceAccessForOrganizationInput{NextToken: out.NextToken}
	}
}

func (c *Client) readDelegatedAdmins(ctx context.Context) ([]string, error) {
	in := &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(servicePrincipal)}
	var ids []string
	for {
		out, err := call(ctx, c, "organizations:ListDelegatedAdministrators", func(ctx context.Context) (*organizations.ListDelegatedAdministratorsOutput, error) {
			return c.aws.Organizations.ListDelegatedAdministrators(ctx, in)
		})
		if err != nil {
			return nil, err
		}
		for _, a := range out.DelegatedAdministrators {
			ids = append(ids, aws.ToString(a.Id))
		}
		if aws.ToString(out.NextToken) == "" {
			return ids, nil
		}
		in = &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(servicePrincipal), NextToken: out.NextToken}
	}
}

func (c *Client) readServiceLinkedRole(ctx context.Context) (bool, error) {
	_, err := call(ctx, c, "iam:GetRole", func(ctx context.Context) (*iam.GetRoleOutput, error) {
		return c.aws.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
	})
	switch {
	case err == nil:
		return true, nil
	case errorCode(err) == codeNoSuchEntity:
		return false, nil
	default:
		return false, err
	}
}
