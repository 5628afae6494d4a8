package ipamorg

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/fsm"
)

// validateAccountID checks that id is exactly 12 ASCII digits, before any
// AWS call is made with it.
func validateAccountID(id string) error {
	ok := len(id) == 12
	for i := 0; ok && i < len(id); i++ {
		ok = '0' <= id[i] && id[i] <= '9'
	}
	if !ok {
		return &Error{Kind: ErrInvalidAccountID, Account: id, Err: fmt.Errorf("%q is not 12 digits", id)}
	}
	return nil
}

// guard checks, before any write, that steps may be taken from st: the
// caller is the management account, and each delegate step targets an
// ACTIVE member account other than the management account, in an
// organization with all features. It reads (organizations:DescribeAccount)
// but never writes. Plan runs it, and Apply again on fresh status.
func (c *Client) guard(ctx context.Context, st *Status, steps []Step) error {
	if len(steps) == 0 {
		return nil
	}
	if err := guardManagement(st); err != nil {
		return err
	}
	for _, s := range steps {
		if s.Event != fsm.EventDelegate {
			continue
		}
		if err := c.guardDelegate(ctx, st, s); err != nil {
			return err
		}
	}
	return nil
}

// guardManagement checks that the caller is the management account. The
// explicit calls run it before anything else: a member account's reads are
// partial, so its idea of the state is not to be trusted either.
func guardManagement(st *Status) error {
	if st.CallerAccountID != st.ManagementAccountID {
		return &Error{Kind: ErrNotManagementAccount, Last: st,
			Err: fmt.Errorf("caller %s, management account %s", st.CallerAccountID, st.ManagementAccountID)}
	}
	return nil
}

func (c *Client) guardDelegate(ctx context.Context, st *Status, s Step) error {
	fail := func(kind, err error) error {
		return &Error{Event: s.Event, From: s.From, To: s.To, Account: s.Account, Action: s.Action, Kind: kind, Err: err, Last: st}
	}
	if err := validateAccountID(s.Account); err != nil {
		return fail(ErrInvalidAccountID, nil)
	}
	if st.FeatureSet != string(orgtypes.OrganizationFeatureSetAll) {
		return fail(ErrAllFeaturesRequired, fmt.Errorf("feature set is %s", st.FeatureSet))
	}
	if s.Account == st.ManagementAccountID {
		return fail(ErrManagementAccountAsDelegate, nil)
	}
	out, err := call(ctx, c, "organizations:DescribeAccount", func(ctx context.Context) (*organizations.DescribeAccountOutput, error) {
		return c.aws.Organizations.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(s.Account)})
	})
	if err != nil {
		return fail(classify(err), err)
	}
	if state, active := accountState(out.Account); !active {
		return fail(ErrAccountNotInOrganization, fmt.Errorf("account state is %q", state))
	}
	return nil
}

// accountState returns the account's state and whether it is ACTIVE.
// Organizations replaced Status with State in 2025; older endpoints (and
// emulators) may fill in only Status.
func accountState(a *orgtypes.Account) (string, bool) {
	switch {
	case a == nil:
		return "", false
	case a.State != "":
		return string(a.State), a.State == orgtypes.AccountStateActive
	default:
		return string(a.Status), a.Status == orgtypes.AccountStatusActive
	}
}
