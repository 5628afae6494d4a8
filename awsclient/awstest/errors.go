package awstest

import (
	"fmt"
	"net/http"
)

// apiError is an error answer in protocol-neutral form; the protocol
// encoders turn it into the wire shape.
type apiError struct {
	code    string
	message string
	status  int
	reason  string // Organizations ConstraintViolation/InvalidInput reason
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{code: code, status: status, message: fmt.Sprintf(format, args...)}
}

func (e *apiError) withReason(r string) *apiError { e.reason = r; return e }

// Codes the emulator answers with outside the operations' own errors.
const (
	codeDryRun      = "DryRunOperation"
	codeDropped     = "ConnectionDropped"
	codeTooLarge    = "RequestEntityTooLarge"
	statusDryRun    = http.StatusPreconditionFailed
	dryRunMessage   = "Request would have succeeded, but DryRun flag is set."
	internalMessage = "We encountered an internal error. Please try again."
)

// Symbolic fault codes that resolve to each service's own code.
const (
	// CodeThrottle is TooManyRequestsException for Organizations,
	// RequestLimitExceeded (HTTP 503) for EC2 and Throttling for IAM and STS.
	CodeThrottle = "awstest:Throttle"
	// CodeInternal is ServiceException for Organizations, InternalError for
	// EC2, ServiceFailure for IAM and InternalFailure for STS, all HTTP 500.
	CodeInternal = "awstest:Internal"
	// CodeUnavailable is ServiceUnavailable with HTTP 503 everywhere.
	CodeUnavailable = "awstest:Unavailable"
)

// symbolicPrefix starts every symbolic fault code; no AWS code contains
// a colon.
const symbolicPrefix = "awstest:"

var symbolicCodes = []string{CodeThrottle, CodeInternal, CodeUnavailable}

// resolveCode turns a fault code into the service's code and HTTP status.
func resolveCode(service, code string) (string, int) {
	switch code {
	case CodeThrottle:
		switch service {
		case svcOrganizations:
			code = "TooManyRequestsException"
		case svcEC2:
			code = "RequestLimitExceeded"
		default:
			code = "Throttling"
		}
	case CodeInternal:
		switch service {
		case svcOrganizations:
			code = "ServiceException"
		case svcEC2:
			code = "InternalError"
		case svcIAM:
			code = "ServiceFailure"
		default:
			code = "InternalFailure"
		}
	case CodeUnavailable:
		code = "ServiceUnavailable"
	}
	return code, defaultStatus(service, code)
}
