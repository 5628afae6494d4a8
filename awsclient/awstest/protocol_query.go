package awstest

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"time"
)

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

var queryNamespaces = map[string]string{
	svcIAM: "https://iam.amazonaws.com/doc/2010-05-08/",
	svcSTS: "https://sts.amazonaws.com/doc/2011-06-15/",
	svcEC2: "http://ec2.amazonaws.com/doc/2016-11-15/",
}

func queryProtocolFor(service string) protocol {
	if service == svcEC2 {
		return ec2Protocol{}
	}
	return queryProtocol{ns: queryNamespaces[service]}
}

func xmlResponse(status int, requestID string, body []byte) response {
	return response{
		status: status,
		header: map[string]string{"Content-Type": "text/xml", "X-Amzn-Requestid": requestID},
		body:   body,
	}
}

// queryProtocol is awsQuery, spoken by IAM and STS: results inside a
// mandatory <OpResult> wrapper.
type queryProtocol struct{ ns string }

func (p queryProtocol) encodeResult(c *call, result any) response {
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	b.WriteString(`<` + c.op.name + `Response xmlns="` + p.ns + `">`)
	enc := xml.NewEncoder(&b)
	if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: c.op.name + "Result"}}); err != nil {
		return p.encodeError(c, errf(http.StatusInternalServerError, "InternalFailure", "%s", internalMessage))
	}
	enc.Flush()
	b.WriteString(`<ResponseMetadata><RequestId>` + c.requestID + `</RequestId></ResponseMetadata>`)
	b.WriteString(`</` + c.op.name + `Response>`)
	return xmlResponse(http.StatusOK, c.requestID, b.Bytes())
}

func (p queryProtocol) encodeError(c *call, ae *apiError) response {
	typ := "Sender"
	if ae.status >= 500 {
		typ = "Receiver"
	}
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	if p.ns != "" {
		b.WriteString(`<ErrorResponse xmlns="` + p.ns + `">`)
	} else {
		b.WriteString(`<ErrorResponse>`)
	}
	b.WriteString(`<Error><Type>` + typ + `</Type><Code>`)
	xml.EscapeText(&b, []byte(ae.code))
	b.WriteString(`</Code><Message>`)
	xml.EscapeText(&b, []byte(ae.message))
	b.WriteString(`</Message></Error><RequestId>` + c.requestID + `</RequestId></ErrorResponse>`)
	return xmlResponse(ae.status, c.requestID, b.Bytes())
}

// ec2Protocol is ec2Query: results directly under <OpResponse> next to
// <requestId>, errors under <Response><Errors>.
type ec2Protocol struct{}

// ec2Result is implemented by EC2 result types, which carry the request id.
type ec2Result interface{ setRequestID(string) }

func (p ec2Protocol) encodeResult(c *call, result any) response {
	if r, ok := result.(ec2Result); ok {
		r.setRequestID(c.requestID)
	}
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	enc := xml.NewEncoder(&b)
	start := xml.StartElement{
		Name: xml.Name{Local: c.op.name + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: queryNamespaces[svcEC2]}},
	}
	if err := enc.EncodeElement(result, start); err != nil {
		return p.encodeError(c, errf(http.StatusInternalServerError, "InternalError", "%s", internalMessage))
	}
	enc.Flush()
	return xmlResponse(http.StatusOK, c.requestID, b.Bytes())
}

func (p ec2Protocol) encodeError(c *call, ae *apiError) response {
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	b.WriteString(`<Response><Errors><Error><Code>`)
	xml.EscapeText(&b, []byte(ae.code))
	b.WriteString(`</Code><Message>`)
	xml.EscapeText(&b, []byte(ae.message))
	b.WriteString(`</Message></Error></Errors><RequestID>` + c.requestID + `</RequestID></Response>`)
	return xmlResponse(ae.status, c.requestID, b.Bytes())
}

// isoTime marshals as ISO 8601 in UTC, the query protocols' timestamps.
type isoTime time.Time

func (t isoTime) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05Z")), nil
}
