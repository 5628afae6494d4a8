package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The mark of a created integration.
//
// Nothing in an organization's IPAM integration says who made it, and a
// Lambda function keeps nothing between invocations, so a Create that finds
// the organization integrated could not tell a foreign integration from
// the work of an earlier attempt of its own request (the function killed
// after its write, or its response lost, and Lambda retrying the event).
// The mark is what tells them apart, in AWS itself: a Create that finds
// nothing integrated creates AWSServiceRoleForIPAM first, with a
// description naming the resource (its owner token, see ownerToken), and
// only then delegates. The role is part of the integration anyway (the
// delegation would create it), the function's policy already allows both
// calls (iam:CreateServiceLinkedRole for ipam.amazonaws.com, iam:GetRole),
// and the teardown deletes it last, so the mark lasts exactly as long as
// the integration the resource created.
//
// A Create that finds the integration with its own mark is therefore its
// own (a retry): it carries on and reports the same physical id. A Delete
// of a created resource tears down only an integration carrying its mark:
// one made again by someone else after it was gone is left alone.
// What AWS documents of this (and what it leaves open) is in
// docs/cloudformation.md.
const (
	ipamServicePrincipal = "ipam.amazonaws.com"
	ipamRoleName         = "AWSServiceRoleForIPAM"
	// markPrefix opens the token in the role's description.
	markPrefix = "[ipamorg-cfn-owner "
	// maxDescription is IAM's limit on a role's description.
	maxDescription = 1000
)

// roleAPI is what the handler calls in IAM itself (everything else goes
// through the library).
type roleAPI interface {
	GetRole(ctx context.Context, params *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	CreateServiceLinkedRole(ctx context.Context, params *iam.CreateServiceLinkedRoleInput, optFns ...func(*iam.Options)) (*iam.CreateServiceLinkedRoleOutput, error)
}

// markDescription is the description a Create gives AWSServiceRoleForIPAM:
// for people, the stack and resource; for the handler, the owner token.
func markDescription(ev *cfn.Event) string {
	token := markPrefix + ownerToken(ev) + "]"
	d := fmt.Sprintf("Service-linked role for Amazon VPC IP Address Manager, created with IPAM's organization integration by %s %s of CloudFormation stack %s %s",
		ResourceType, ev.LogicalResourceID, ev.StackID, token)
	if len(d) > maxDescription {
		d = "Service-linked role for Amazon VPC IP Address Manager, created with IPAM's organization integration by CloudFormation " + token
	}
	return d
}

// hasMark reports whether description is that of a role the resource
// owner created.
func hasMark(description, owner string) bool {
	return strings.Contains(description, markPrefix+owner+"]")
}

// roleDescription reads AWSServiceRoleForIPAM's description in the
// function's account, and whether the role exists.
func roleDescription(ctx context.Context, roles roleAPI) (description string, exists bool, err error) {
	out, err := roles.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(ipamRoleName)})
	var nse *iamtypes.NoSuchEntityException
	switch {
	case errors.As(err, &nse):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("reading %s, whose description says which resource created the integration: %w", ipamRoleName, err)
	case out == nil || out.Role == nil:
		return "", false, fmt.Errorf("reading %s: IAM answered without the role", ipamRoleName)
	}
	return aws.ToString(out.Role.Description), true, nil
}

// errMarkTaken is mark's error when the role exists and is not the
// resource's: someone else created it, so the resource wrote nothing.
var errMarkTaken = errors.New("the role is not the resource's")

// mark creates AWSServiceRoleForIPAM with ev's resource's mark. When IAM
// refuses, or its answer is lost (the SDK's retry is then refused as the
// name being taken), the role's description says what happened: the mark
// (the write was applied), another description (errMarkTaken, with that
// description), or no role (IAM's error).
func mark(ctx context.Context, roles roleAPI, ev *cfn.Event) error {
	_, err := roles.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{
		AWSServiceName: aws.String(ipamServicePrincipal),
		Description:    aws.String(markDescription(ev)),
	})
	if err == nil {
		return nil
	}
	desc, exists, rerr := roleDescription(ctx, roles)
	switch {
	case rerr != nil:
		return fmt.Errorf("creating %s: %w; then %w", ipamRoleName, err, rerr)
	case exists && hasMark(desc, ownerToken(ev)):
		return nil
	case exists:
		return fmt.Errorf("%s was created by someone else while this request ran (description %q): %w", ipamRoleName, desc, errMarkTaken)
	}
	return fmt.Errorf("creating %s: %w", ipamRoleName, err)
}
