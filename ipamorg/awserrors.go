package ipamorg

import (
	"errors"
	"strings"

	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
)

// AWS error codes the package maps or treats specially. The IpamOrganization…
// codes are not in AWS's documentation; they are what EC2 returns in
// practice (see docs/aws-behaviour.md).
const (
	codeAccessDeniedException           = "AccessDeniedException" // Organizations
	codeUnauthorizedOperation           = "UnauthorizedOperation" // EC2
	codeDryRunOperation                 = "DryRunOperation"       // EC2: a DryRun request would have succeeded
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

// classify maps an error to the sentinel that names its category, or nil
// when it has none: the Kind of an *Error it wraps, ErrInvalidResponse,
// else the category of its AWS error code. Codes whose meaning depends on the call
// (IpamOrganizationAccountNotRegistered, NoSuchEntity) are handled where
// the call is made.
func classify(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Kind != nil {
		return e.Kind
	}
	if errors.Is(err, ErrInvalidResponse) {
		return ErrInvalidResponse
	}
	switch errorCode(err) {
	case codeAccessDeniedException, codeUnauthorizedOperation, codeAccessDenied:
		return ErrAccessDenied
	case codeOrganizationsNotInUse:
		return ErrOrganizationNotFound
	case codeIpamAccountNotFound, codeAccountNotFound:
		return ErrAccountNotInOrganization
	case codeIpamDelegatedAdminLimitExceeded:
		return ErrDelegatedAdminConflict
	case codeInvalidParameterValue:
		return invalidParameter(err)
	case codeConstraintViolation:
		var cv *orgtypes.ConstraintViolationException
		if errors.As(err, &cv) && cv.Reason == reasonOrganizationNotInAllFeatures {
			return ErrAllFeaturesRequired
		}
	}
	return nil
}

// invalidParameter maps EC2's InvalidParameterValue, its generic answer to
// a target it will not take, by what its message says: the management
// account, or a suspended account; anything else is ErrInvalidParameter,
// with the message in the wrapped AWS error.
func invalidParameter(err error) error {
	var ae smithy.APIError
	errors.As(err, &ae)
	msg := strings.ToLower(ae.ErrorMessage())
	switch {
	case strings.Contains(msg, "management account"):
		return ErrManagementAccountAsDelegate
	case strings.Contains(msg, "suspended"):
		return ErrAccountNotInOrganization
	}
	return ErrInvalidParameter
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
