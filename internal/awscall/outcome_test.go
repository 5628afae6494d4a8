package awscall

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// answered is an error as the SDK returns it for an AWS error answer: the
// API error inside the HTTP response error, inside the operation error.
func answered(status int, code string) error {
	return &smithy.OperationError{ServiceID: "EC2", OperationName: "EnableIpamOrganizationAdminAccount",
		Err: &awshttp.ResponseError{RequestID: "req-1", ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err:      &smithy.GenericAPIError{Code: code, Message: "injected"},
		}}}
}

// unanswered is an error as the SDK returns it when the connection failed
// with no answer.
func unanswered() error {
	return &smithy.OperationError{ServiceID: "EC2", OperationName: "EnableIpamOrganizationAdminAccount",
		Err: &smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF}}
}

// writeOutcome runs CallWrite over fn, which always fails with err, with
// applied answering shown, and returns what CallWrite returned and how
// many times it sent the write and looked.
func writeOutcome(t *testing.T, err error, shown bool) (gotErr error, answered bool, sent, looked int) {
	t.Helper()
	c := New(nil, Retry{}, Middleware{})
	applied := func(context.Context) bool { looked++; return shown }
	_, answered, gotErr = CallWrite(t.Context(), c, "ec2:EnableIpamOrganizationAdminAccount", applied, func(context.Context) (*struct{}, error) {
		sent++
		return nil, err
	})
	return gotErr, answered, sent, looked
}

// TestCallWriteServerError: a 5xx proves nothing about the write. When the
// confirming read shows the change, the write is done; when it does not,
// the write is sent again, and then it may have been applied
// (*MaybeApplied), never refused.
func TestCallWriteServerError(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"InternalError 500", answered(500, "InternalError")},
		{"ServiceUnavailable 503", answered(503, "ServiceUnavailable")},
		{"InternalFailure 500", answered(500, "InternalFailure")},
		{"an unknown code with 502", answered(502, "BadGateway")},
		{"a connection error", unanswered()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err, ans, _, looked := writeOutcome(t, tc.err, true)
			if err != nil || ans || looked == 0 {
				t.Errorf("applied and shown: err %v, answered %v, looked %d; want done, looked", err, ans, looked)
			}
			err, _, sent, looked := writeOutcome(t, tc.err, false)
			var m *MaybeApplied
			if !errors.As(err, &m) || !errors.Is(err, tc.err) {
				t.Errorf("not shown: err %v, want a *MaybeApplied wrapping the answer", err)
			}
			if sent != writeRounds || looked != writeRounds {
				t.Errorf("not shown: sent %d times, looked %d times; want %d of each", sent, looked, writeRounds)
			}
		})
	}
}

// TestCallWriteRefusal: a 4xx with an AWS error code is AWS refusing the
// request: not applied, unless the confirming read shows the change
// anyway (an earlier request applied it), and never sent again.
func TestCallWriteRefusal(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"UnauthorizedOperation 403", answered(403, "UnauthorizedOperation")},
		{"InvalidParameterValue 400", answered(400, "InvalidParameterValue")},
		{"Throttling 400", answered(400, "Throttling")},
		{"RequestLimitExceeded 503 (EC2's throttle)", answered(503, "RequestLimitExceeded")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err, ans, sent, _ := writeOutcome(t, tc.err, false)
			var m *MaybeApplied
			if err == nil || errors.As(err, &m) || !errors.Is(err, tc.err) || !ans || sent != 1 {
				t.Errorf("err %v, answered %v, sent %d; want the refusal itself, sent once", err, ans, sent)
			}
			if err, _, _, looked := writeOutcome(t, tc.err, true); err != nil || looked != 1 {
				t.Errorf("shown applied: err %v, looked %d; want done", err, looked)
			}
		})
	}
}

// TestCallWriteRefusalAfterUnknown: a refusal in the second round, after a
// first whose answer proved nothing, may come from the first round's write
// (IAM's "has been taken" while reads still lag): the write may have been
// applied (*MaybeApplied), never refused.
func TestCallWriteRefusalAfterUnknown(t *testing.T) {
	c := New(nil, Retry{}, Middleware{})
	answers := []error{answered(500, "InternalError"), answered(400, "InvalidInput")}
	sent := 0
	_, ans, err := CallWrite(t.Context(), c, "iam:CreateServiceLinkedRole", func(context.Context) bool { return false },
		func(context.Context) (*struct{}, error) {
			sent++
			return nil, answers[min(sent, len(answers))-1]
		})
	var m *MaybeApplied
	if !errors.As(err, &m) || !errors.Is(err, answers[1]) || !ans || sent != 2 {
		t.Errorf("err %v, answered %v, sent %d; want a *MaybeApplied after both rounds", err, ans, sent)
	}
}

// TestAnswerOf: what each answer proves, by its HTTP status and, without
// one, by its fault.
func TestAnswerOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want Answer
	}{
		{"success", nil, AnswerApplied},
		{"a validation error (400)", answered(400, "ValidationError"), AnswerRefused},
		{"access denied (403)", answered(403, "AccessDenied"), AnswerRefused},
		{"a conflict (409)", answered(409, "ConcurrentModification"), AnswerRefused},
		{"a throttle (400)", answered(400, "TooManyRequestsException"), AnswerRefused},
		{"EC2's throttle (503)", answered(503, "RequestLimitExceeded"), AnswerRefused},
		{"InternalError (500)", answered(500, "InternalError"), AnswerUnknown},
		{"ServiceUnavailable (503)", answered(503, "ServiceUnavailable"), AnswerUnknown},
		{"ServiceFailure (500)", answered(500, "ServiceFailure"), AnswerUnknown},
		{"a client error code with a 5xx", answered(500, "AccessDenied"), AnswerUnknown},
		{"a connection error", unanswered(), AnswerUnknown},
		{"the context's end", context.Canceled, AnswerUnknown},
		{"no output", InvalidResponse("ec2:X", "no output and no error"), AnswerUnknown},
		{"Success=false", Refused(errors.New("ec2:X returned Success=false")), AnswerRefused},
		{"a modeled client error without a status", &smithy.GenericAPIError{Code: "NoSuchEntity", Fault: smithy.FaultClient}, AnswerRefused},
		{"a server fault without a status", &smithy.GenericAPIError{Code: "ServiceFailure", Fault: smithy.FaultServer}, AnswerUnknown},
		{"an unknown fault without a status", &smithy.GenericAPIError{Code: "Whatever"}, AnswerUnknown},
		{"a plain error", errors.New("boom"), AnswerUnknown},
	} {
		if got := AnswerOf(tc.err); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestCallWriteSuccessFalse: an answer the write's fn marks as Refused is
// a refusal, looked at first and returned without the mark.
func TestCallWriteSuccessFalse(t *testing.T) {
	notMade := errors.New("ec2:EnableIpamOrganizationAdminAccount returned Success=false")
	err, ans, sent, looked := writeOutcome(t, Refused(notMade), false)
	if err != notMade || !ans || sent != 1 || looked != 1 {
		t.Errorf("err %v, answered %v, sent %d, looked %d; want the error unmarked, sent and looked once", err, ans, sent, looked)
	}
	if err, ans, _, _ := writeOutcome(t, Refused(notMade), true); err != nil || ans {
		t.Errorf("shown applied: err %v, answered %v; want done", err, ans)
	}
}

// TestCallWriteContextEnded: once ctx has ended nobody can look: a write
// cut short is MaybeApplied.
func TestCallWriteContextEnded(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	c := New(nil, Retry{}, Middleware{})
	looked := false
	_, _, err := CallWrite(ctx, c, "ec2:X", func(context.Context) bool { looked = true; return true }, func(context.Context) (*struct{}, error) {
		cancel()
		return nil, context.Canceled
	})
	var m *MaybeApplied
	if !errors.As(err, &m) || !errors.Is(err, context.Canceled) || looked {
		t.Errorf("err %v, looked %v; want a MaybeApplied context.Canceled, no look", err, looked)
	}
}
