package awstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// jsonProtocol is awsJson1_1, spoken by Organizations.
type jsonProtocol struct{}

func (jsonProtocol) header(requestID string) map[string]string {
	return map[string]string{
		"Content-Type":     "application/x-amz-json-1.1",
		"X-Amzn-Requestid": requestID,
	}
}

func (p jsonProtocol) encodeResult(c *call, result any) response {
	body := []byte("{}")
	if result != nil {
		b, err := json.Marshal(result)
		if err != nil {
			return p.encodeError(c, errf(http.StatusInternalServerError, "ServiceException", "%s", internalMessage))
		}
		body = b
	}
	return response{status: http.StatusOK, header: p.header(c.requestID), body: body}
}

func (p jsonProtocol) encodeError(c *call, ae *apiError) response {
	b, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"Message"`
		Reason  string `json:"Reason,omitempty"`
	}{ae.code, ae.message, ae.reason})
	return response{status: ae.status, header: p.header(c.requestID), body: b}
}

// orgInput is the union of the Organizations inputs the emulator reads.
type orgInput struct {
	AccountId            *string
	ServicePrincipal     *string
	NextToken            *string
	MaxResults           *int32
	ParentId             *string
	ChildId              *string
	OrganizationalUnitId *string
}

// decodeJSON decodes an awsJson request body into in. Member names match
// exactly, as the service's deserializer matches them (encoding/json alone
// would match them case-insensitively); members the emulator does not read
// are ignored, a null member is absent, and a member of the wrong type is a
// SerializationException.
func decodeJSON(body []byte, in *orgInput) *apiError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return errf(http.StatusBadRequest, "SerializationException", "the request body must be a JSON object")
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return errf(http.StatusBadRequest, "SerializationException", "could not parse the request body as JSON")
	}
	for name, dst := range map[string]any{
		"AccountId":            &in.AccountId,
		"ServicePrincipal":     &in.ServicePrincipal,
		"NextToken":            &in.NextToken,
		"MaxResults":           &in.MaxResults,
		"ParentId":             &in.ParentId,
		"ChildId":              &in.ChildId,
		"OrganizationalUnitId": &in.OrganizationalUnitId,
	} {
		raw, ok := members[name]
		if !ok || string(raw) == "null" {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return errf(http.StatusBadRequest, "SerializationException", "could not read member %s of the request body", name)
		}
	}
	return nil
}

// epoch marshals as epoch seconds, the awsJson timestamp format.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Time(t).UnixMilli())/1000, 'f', -1, 64), nil
}
