package ipamorg

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/internal/awscall"
)

// guardReads are the reads of a guard made alongside Observe's
// (observeFor), so that a plan that needs them waits for one round trip,
// not two: the target's organizations:DescribeAccount, for the delegate
// step's guard. A guard uses an answer only for the account it was read
// for, and only where it would have made the read itself, so errors come
// in the same order as without it; the zero value (or nil) holds none.
type guardReads struct {
	account string
	out     *organizations.DescribeAccountOutput
	err     error
}

// observeFor is observe, with the reads the guards of a plan toward d
// will need made at the same time: a desired delegation to an account
// reads that account (DescribeAccount), which every plan that delegates
// to it guards on. A plan that turns out to need nothing (the account
// already is the administrator) has made that one read for nothing, in no
// more time; a plan that goes elsewhere makes none.
func (c *Client) observeFor(ctx context.Context, d Desired) (*Status, *guardReads, error) {
	if d.State != fsm.StateDelegated || validateAccountID(d.DelegatedAdmin) != nil {
		st, err := c.observe(ctx)
		return st, nil, err
	}
	pre := &guardReads{account: d.DelegatedAdmin, err: awscall.ErrNoAnswer}
	var wg sync.WaitGroup
	wg.Go(func() { pre.out, pre.err = c.readAccount(ctx, pre.account) })
	st, err := c.observe(ctx)
	wg.Wait()
	return st, pre, err
}

// describeAccount is the answer read alongside Observe for id, if any;
// else it reads it now.
func (g *guardReads) describeAccount(ctx context.Context, c *Client, id string) (*organizations.DescribeAccountOutput, error) {
	if g != nil && g.account == id {
		return g.out, g.err
	}
	return c.readAccount(ctx, id)
}

// readAccount reads account id (organizations:DescribeAccount).
func (c *Client) readAccount(ctx context.Context, id string) (*organizations.DescribeAccountOutput, error) {
	return awscall.Call(ctx, c.calls, "organizations:DescribeAccount", func(ctx context.Context) (*organizations.DescribeAccountOutput, error) {
		return c.aws.Organizations.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)}, c.calls.Organizations)
	})
}
