package ipamorg

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
)

// AWS error codes the package maps or treats specially. The IpamOrganization…
// codes are not in AWS's documentation; they are what EC2 returns in
// practice (see DESIGN.md §4.7).
const (
	codeAccessDeniedException           = "AccessDeniedException" // Organizations
	codeUnauthorizedOperation           = "UnauthorizedOperation" // EC2
	codeAccessDenied                    = "AccessDenied"          // IAM, STS
	codeOrganizationsNotInUse           = "AWSOrganizationsNotInUseException"
	codeAccountNotFound                 = "AccountNotFoundException"
	codeConstraintViolation             = "ConstraintViolationException"
	codeConcurrentModification          = "ConcurrentModificationException"
	codeConcurrentModificationIAM       = "ConcurrentModification" // IAM's code for the same exception
	codeIpamAccountNotFound             = "IpamOrganizationAccountNotFound"
	codeIpamAccountNotRegistered        = "IpamOrganizationAccountNotRegistered"
	codeIpamDelegatedAdminLimitExceeded = "IpamOrganizationDelegatedAdminLimitExceeded"
	codeInvalidParameterValue           = "InvalidParameterValue"
	codeNoSuchEntity                    = "NoSuchEntity"
	reasonOrganizationNotInAllFeatures  = orgtypes.ConstraintViolationExceptionReasonOrganizationNotInAllFeaturesMode
)

// errorCode returns the AWS error code of err, or "" when err is not an AWS
// API error.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// classify maps an AWS error to the sentinel that names its category, or nil
// when it has none. Codes whose meaning depends on the call
// (InvalidParameterValue, IpamOrganizationAccountNotRegistered, NoSuchEntity)
// are handled where the call is made.
func classify(err error) error {
	switch errorCode(err) {
	case codeAccessDeniedException, codeUnauthorizedOperation, codeAccessDenied:
		return ErrAccessDenied
	case codeOrganizationsNotInUse:
		return ErrOrganizationNotFound
	case codeIpamAccountNotFound, codeAccountNotFound:
		return ErrAccountNotInOrganization
	case codeIpamDelegatedAdminLimitExceeded:
		return ErrDelegatedAdminConflict
	case codeConstraintViolation:
		var cv *orgtypes.ConstraintViolationException
		if errors.As(err, &cv) && cv.Reason == reasonOrganizationNotInAllFeatures {
			return ErrAllFeaturesRequired
		}
	}
	return nil
}

// transient reports whether err is worth retrying on top of the SDK's own
// retries: a ConcurrentModificationException, which the SDK never retries
// (IAM spells its code ConcurrentModification), or throttling that
// outlasted the SDK's attempts (the SDK wraps its last attempt's error, so
// the code is still reachable).
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch code := errorCode(err); code {
	case codeConcurrentModification, codeConcurrentModificationIAM:
		return true
	default:
		_, throttled := retry.DefaultThrottleErrorCodes[code]
		return throttled
	}
}

// outcomeUnknown reports whether err leaves unknown whether AWS carried out
// the call: the connection failed with no answer from AWS (the SDK's
// RequestSendError, after its own retries), so the request may have been
// applied and only its response lost. An AWS error answer, or the end of
// the context, is not unknown in this sense.
func outcomeUnknown(err error) bool {
	if err == nil || isContextErr(err) || errorCode(err) != "" {
		return false
	}
	var conn interface{ ConnectionError() bool }
	return errors.As(err, &conn) && conn.ConnectionError()
}
