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

func (jsonProtocol) header(requestID string) http.Header {
	return http.Header{
		"Content-Type":     {"application/x-amz-json-1.1"},
		"X-Amzn-Requestid": {requestID},
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
	AccountId        *string
	ServicePrincipal *string
	NextToken        *string
	MaxResults       *int32
}

func decodeJSON(body []byte, in *orgInput) *apiError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return errf(http.StatusBadRequest, "SerializationException", "the request body must be a JSON object")
	}
	if err := json.Unmarshal(body, in); err != nil {
		return errf(http.StatusBadRequest, "SerializationException", "could not parse the request body as JSON")
	}
	return nil
}

// epoch marshals as epoch seconds, the awsJson timestamp format.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Time(t).UnixMilli())/1000, 'f', -1, 64), nil
}
