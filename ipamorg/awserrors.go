package ipamorg

import (
	"errors"
	"strings"

	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/internal/awscall"
)

// AWS error codes the package maps or treats specially (those of access
// denied and of concurrent modification are internal/awscall's). The IpamOrganization…
// codes are not in AWS's documentation; they are what EC2 returns in
// practice (see docs/aws-behaviour.md).
const (
	codeDryRunOperation                 = "DryRunOperation" // EC2: a DryRun request would have succeeded
	codeOrganizationsNotInUse           = "AWSOrganizationsNotInUseException"
	codeAccountNotFound                 = "AccountNotFoundException"
	codeConstraintViolation             = "ConstraintViolationException"
	codeIpamAccountNotFound             = "IpamOrganizationAccountNotFound"
	codeIpamAccountNotRegistered        = "IpamOrganizationAccountNotRegistered"
	codeIpamDelegatedAdminLimitExceeded = "IpamOrganizationDelegatedAdminLimitExceeded"
	codeInvalidParameterValue           = "InvalidParameterValue"
	codeNoSuchEntity                    = "NoSuchEntity"
	reasonOrganizationNotInAllFeatures  = orgtypes.ConstraintViolationExceptionReasonOrganizationNotInAllFeaturesMode
)

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
	if awscall.AccessDenied(err) {
		return ErrAccessDenied
	}
	switch awscall.ErrorCode(err) {
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
