package ipamorg

import (
	"context"
	"fmt"
	"strings"
)

// guardIPAMs is the guard of every step that removes the delegated
// administrator: AWS's teardown order deletes the administrator's IPAMs
// first, and an IPAM left behind monitors nothing more than its own
// account. It reads them as Monitoring does (the access role in the
// administrator's account, ec2:DescribeRegions, ec2:DescribeIpams in each
// Region) and refuses with ErrIPAMResourcesExist while any exists, or
// ErrAdminUnreachable when they cannot be read, unless
// d.AllowIPAMResources. It never deletes an IPAM.
func guardIPAMs(ctx context.Context, c *Client, st *Status, s Step, d Desired, _ *guardReads) error {
	if d.AllowIPAMResources {
		return nil
	}
	fail := func(err error) error {
		e, ok := err.(*Error)
		if !ok {
			e = &Error{Kind: classify(err), Err: err}
		}
		cp := *e
		cp.Step, cp.Last = s, st
		return &cp
	}
	sess, err := c.reachAdmin(ctx, st.partition, st.CallerAccountID, s.Account)
	if err != nil {
		return fail(err)
	}
	regions, err := c.readAdminRegions(ctx, sess)
	if err != nil {
		return fail(err)
	}
	ipams, err := c.readAdminIPAMs(ctx, sess, regions)
	if err != nil {
		return fail(err)
	}
	if len(ipams) == 0 {
		return nil
	}
	return fail(&Error{Kind: ErrIPAMResourcesExist, Err: &IPAMResourcesError{Admin: s.Account, IPAMs: ipams}})
}

// IPAMResourcesError is the cause of an ErrIPAMResourcesExist: the IPAMs
// that the delegated administrator still owns (errors.As finds it), every
// one that still exists, one being deleted included.
type IPAMResourcesError struct {
	// Admin is the delegated administrator's account, whose credentials
	// delete the IPAMs.
	Admin string
	IPAMs []IPAM
}

// Error names each IPAM, with its Region and state, and the command that
// deletes it.
func (e *IPAMResourcesError) Error() string {
	return e.Describe() + "; then plan again, or set AllowIPAMResources to proceed anyway; nothing was written"
}

// Describe is Error without the advice on how to proceed, for front ends
// that give their own (a flag's name).
func (e *IPAMResourcesError) Describe() string {
	names := make([]string, len(e.IPAMs))
	commands := make([]string, len(e.IPAMs))
	for i, ip := range e.IPAMs {
		names[i] = fmt.Sprintf("%s in %s (%s)", ip.ID, ip.Region, orNone(ip.State))
		commands[i] = ip.DeleteCommand()
	}
	return fmt.Sprintf("%d ipam(s), an ipam being deleted counting until it is gone: %s; delete each with the credentials of account %s: %s",
		len(e.IPAMs), strings.Join(names, ", "), e.Admin, strings.Join(commands, "; "))
}
