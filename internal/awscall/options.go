package awscall

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// Retries are the SDK's: every call passes the per-operation options of
// its Calls, which set the SDK retryer's attempts and backoff from Retry
// and add the codes of ConcurrentModificationException to what it
// retries. The one loop of the library's own is CallWrite's, for what a
// retryer cannot do: look, when a write's answer was lost, whether the
// write was applied before sending it again.

// Calls are the per-operation options that every call of the library
// passes to its SDK client, one per service, and the logger that Call
// tells of each call. A Calls is not changed once made; it is safe for
// concurrent use.
type Calls struct {
	Log           *slog.Logger
	Organizations func(*organizations.Options)
	EC2           func(*ec2.Options)
	STS           func(*sts.Options)
	IAM           func(*iam.Options)
}

// Retry configures the SDK's retryer for every call (see Retryer).
type Retry struct {
	// MaxAttempts is the number of requests per call, the first included;
	// 0 is DefaultMaxAttempts, or the client's own retryer's attempts if
	// more.
	MaxAttempts int
	// MaxBackoff caps the delay between two attempts; 0 keeps the
	// retryer's own.
	MaxBackoff time.Duration
}

// DefaultMaxAttempts is Retry.MaxAttempts' default.
const DefaultMaxAttempts = 5

// Middleware is what a Calls adds, per service, to the SDK's stack of each
// call, after the attempt recorder: the fleet's rate limits, say.
type Middleware struct {
	Organizations, STS []func(*middleware.Stack) error
}

// New returns the Calls that log to log, retry as r says, and add mw to
// the stacks of their services.
func New(log *slog.Logger, r Retry, mw Middleware) *Calls {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Calls{
		Log: log,
		Organizations: func(o *organizations.Options) {
			o.Retryer = Retryer(o.Retryer, r)
			o.APIOptions = append(append(o.APIOptions, addAttemptRecorder), mw.Organizations...)
		},
		EC2: func(o *ec2.Options) {
			o.Retryer = Retryer(o.Retryer, r)
			o.APIOptions = append(o.APIOptions, addAttemptRecorder)
		},
		STS: func(o *sts.Options) {
			o.Retryer = Retryer(o.Retryer, r)
			o.APIOptions = append(append(o.APIOptions, addAttemptRecorder), mw.STS...)
		},
		IAM: func(o *iam.Options) {
			o.Retryer = Retryer(o.Retryer, r)
			o.APIOptions = append(o.APIOptions, addAttemptRecorder)
		},
	}
}

// The codes of the conflict that Organizations (and EC2, which answers
// with Organizations' spelling) and IAM return when a concurrent request
// is changing the same thing. The SDK's retryer does not retry them by
// default; they clear in moments.
const (
	CodeConcurrentModification    = "ConcurrentModificationException"
	CodeConcurrentModificationIAM = "ConcurrentModification" // IAM's code for the same exception
)

// Retryer returns the client's retryer rr (nil: the SDK's standard one)
// with r's settings: the concurrent-modification codes retried
// (retry.AddWithErrorCodes), r.MaxAttempts (retry.AddWithMaxAttempts) and,
// if set, r.MaxBackoff (retry.AddWithMaxBackoffDelay).
func Retryer(rr aws.Retryer, r Retry) aws.Retryer {
	if rr == nil {
		rr = retry.NewStandard()
	}
	attempts := r.MaxAttempts
	if attempts == 0 {
		attempts = max(DefaultMaxAttempts, rr.MaxAttempts())
	}
	rr = retry.AddWithErrorCodes(rr, CodeConcurrentModification, CodeConcurrentModificationIAM)
	rr = retry.AddWithMaxAttempts(rr, attempts)
	if r.MaxBackoff > 0 {
		rr = retry.AddWithMaxBackoffDelay(rr, r.MaxBackoff)
	}
	return rr
}
