package awstest

// protocol encodes answers in one wire protocol.
type protocol interface {
	encodeResult(c *call, result any) response
	encodeError(c *call, ae *apiError) response
}
