package ipamorg

import (
	"context"
	"fmt"
	"strings"

	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/internal/orglist"
)

// validateAccountID checks that id is exactly 12 ASCII digits, before any
// AWS call is made with it.
func validateAccountID(id string) error {
	ok := len(id) == 12
	for i := 0; ok && i < len(id); i++ {
		ok = '0' <= id[i] && id[i] <= '9'
	}
	if !ok {
		return &Error{Kind: ErrInvalidAccountID, Step: Step{Account: id}, Err: fmt.Errorf("%q is not 12 digits", id)}
	}
	return nil
}

// guardSteps checks, before any write, that steps toward d may be taken
// from st, with each step's own guard from the table; the status itself is
// guardStatus's, which every operation runs once before. It may read but
// never writes; pre holds reads made alongside the observation of st, if
// any (see observeFor). Plan runs it, and Apply and the explicit calls
// again on fresh status.
func (c *Client) guardSteps(ctx context.Context, st *Status, steps []Step, d Desired, pre *guardReads) error {
	for _, s := range steps {
		if sp := specOf(s.Event); sp != nil && sp.guard != nil {
			if err := sp.guard(ctx, c, st, s, d, pre); err != nil {
				return err
			}
		}
	}
	return nil
}

// guardStatus checks that st is ground to act on: the caller is the
// management account, and AWS showed no anomaly. Every plan and explicit
// call runs it once, before anything else, and Apply before its steps: a member account's reads are
// partial, and an anomalous status says nothing reliable about the state.
func guardStatus(st *Status) error {
	switch {
	case st.CallerAccountID == "" || st.ManagementAccountID == "":
		return &Error{Kind: ErrAnomaly, Last: st, Err: fmt.Errorf("%s", messages(identityWarnings(st.CallerAccountID, st.ManagementAccountID)))}
	case !st.isManagement():
		return &Error{Kind: ErrNotManagementAccount, Last: st,
			Err: fmt.Errorf("caller %s, management account %s", st.CallerAccountID, st.ManagementAccountID)}
	}
	if a := st.Anomalies(); len(a) > 0 {
		return &Error{Kind: ErrAnomaly, Last: st, Err: fmt.Errorf("%s; nothing was written", messages(a))}
	}
	return nil
}

// messages joins the messages of ws.
func messages(ws []Warning) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = w.Message
	}
	return strings.Join(s, "; ")
}

// guardDelegate is the delegate step's guard: the target is a valid id,
// not the management account, and an ACTIVE member of an organization with
// all features (organizations:DescribeAccount, read alongside Observe's
// reads when pre has it).
func guardDelegate(ctx context.Context, c *Client, st *Status, s Step, _ Desired, pre *guardReads) error {
	fail := func(kind, err error) error {
		return &Error{Step: s, Kind: kind, Err: err, Last: st}
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
	out, err := pre.describeAccount(ctx, c, s.Account)
	if err != nil {
		return fail(classify(err), err)
	}
	if state, active := orglist.AccountState(out.Account); !active {
		return fail(ErrAccountNotInOrganization, fmt.Errorf("account state is %q", state))
	}
	return nil
}
