package awstest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// process decodes, routes, authenticates and serves one request, applying
// injected faults before the handler can touch the state.
func (e *Emulator) process(r *http.Request, rec *Request) response {
	body, err := io.ReadAll(io.LimitReader(r.Body, e.maxBody+1))
	tooLarge := int64(len(body)) > e.maxBody
	sc, signed := credentialScope(r)

	var p protocol
	c := &call{ctx: r.Context(), requestID: rec.RequestID, region: sc.region}
	fail := func(ae *apiError) response {
		rec.Code = ae.code
		return p.encodeError(c, ae)
	}

	if isJSONRequest(r) {
		p = jsonProtocol{}
		rec.Service = svcOrganizations
		switch {
		case err != nil:
			return fail(errf(http.StatusBadRequest, "SerializationException", "could not read the request body"))
		case tooLarge:
			return fail(errf(http.StatusRequestEntityTooLarge, codeTooLarge, "request body larger than %d bytes", e.maxBody))
		case r.Method != http.MethodPost:
			return fail(methodNotAllowed(r.Method))
		}
		prefix, name, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		c.op = operations[svcOrganizations][name]
		if prefix != orgTargetPrefix || c.op == nil {
			rec.Operation = truncate(name, 64)
			return fail(errf(http.StatusBadRequest, "UnknownOperationException", "unknown operation %q", truncate(r.Header.Get("X-Amz-Target"), 128)))
		}
		rec.Operation, rec.Action, rec.Write = c.op.name, c.op.action(), c.op.write
		if signed && sc.service != svcOrganizations {
			return fail(errf(http.StatusBadRequest, "InvalidSignatureException",
				"Credential should be scoped to correct service: '%s'.", svcOrganizations))
		}
		if ae := decodeJSON(body, &c.in); ae != nil {
			return fail(ae)
		}
	} else {
		p = queryProtocolFor(sc.service)
		switch {
		case err != nil:
			return fail(errf(http.StatusBadRequest, "MalformedQueryString", "could not read the request body"))
		case tooLarge:
			return fail(errf(http.StatusRequestEntityTooLarge, codeTooLarge, "request body larger than %d bytes", e.maxBody))
		}
		var raw string
		switch r.Method {
		case http.MethodPost:
			// A POST's parameters are its body; the query string carries
			// at most a presigned request's X-Amz-* parameters.
			raw = string(body)
		case http.MethodGet:
			raw = r.URL.RawQuery
		default:
			return fail(methodNotAllowed(r.Method))
		}
		form, perr := url.ParseQuery(raw)
		if perr != nil {
			return fail(errf(http.StatusBadRequest, "MalformedQueryString", "the request is not a valid form"))
		}
		for k := range form {
			if strings.HasPrefix(k, "X-Amz-") {
				delete(form, k)
			}
		}
		c.form = form
		actionName := form.Get("Action")
		if actionName == "" {
			return fail(errf(http.StatusBadRequest, "MissingAction", "the request must contain the parameter Action"))
		}
		var mismatch bool
		c.op, mismatch = findQueryOperation(sc.service, signed, actionName)
		if c.op == nil {
			rec.Operation = truncate(actionName, 64)
			return fail(errf(http.StatusBadRequest, "InvalidAction", "the action %s is not valid for this web service", truncate(actionName, 64)))
		}
		p = queryProtocolFor(c.op.service)
		rec.Service, rec.Operation, rec.Action, rec.Write = c.op.service, c.op.name, c.op.action(), c.op.write
		if mismatch {
			// Assumption (docs/emulator.md#routing): a request signed for
			// a service that is not the one it asks is refused as a
			// signature error, as AWS refuses a credential scoped to the
			// wrong service.
			if c.op.service == svcEC2 {
				return fail(errf(http.StatusUnauthorized, "AuthFailure", "Credential should be scoped to correct service: '%s'.", c.op.service))
			}
			return fail(errf(http.StatusForbidden, "SignatureDoesNotMatch", "Credential should be scoped to correct service: '%s'.", c.op.service))
		}
		if c.op.service == svcEC2 {
			switch v := form.Get("DryRun"); v {
			case "", "false":
			case "true":
				c.dryRun, rec.DryRun = true, true
			default:
				return fail(errf(http.StatusBadRequest, "InvalidParameterValue", "invalid value for DryRun: %q", truncate(v, 64)))
			}
		}
	}

	id, ae := e.identify(r, sc, signed, c.op.service)
	if ae != nil {
		return fail(ae)
	}
	c.id, rec.Account = id, id.account
	if c.op.service == svcEC2 {
		if ae := ec2Region(c.region); ae != nil {
			return fail(ae)
		}
	}
	if ae := e.authorize(c, rec); ae != nil {
		return fail(ae)
	}

	f := e.faults.pick(c.op.name)
	if f != nil && !f.Applied {
		if resp, faulted := e.applyFault(r, c, f, rec, fail); faulted {
			return resp
		}
	}

	result, ae := e.invoke(c)
	if f != nil && f.Applied {
		// The operation has run (and any write taken effect); the fault
		// now decides what, if anything, the client hears.
		if resp, faulted := e.applyFault(r, c, f, rec, fail); faulted {
			return resp
		}
	}
	if ae != nil {
		return fail(ae)
	}
	return p.encodeResult(c, result)
}

// methodNotAllowed answers a request that is neither a POST nor, for the
// query protocols, a GET. Assumption (docs/emulator.md#routing): AWS's
// exact answer is undocumented; 405 in the protocol's error shape says what
// is wrong.
func methodNotAllowed(method string) *apiError {
	return errf(http.StatusMethodNotAllowed, "MethodNotAllowed", "the HTTP method %s is not allowed; AWS APIs take POST", truncate(method, 16))
}

// applyFault applies f, the injected fault picked for the request. It
// reports whether the fault decided the answer; a latency-only fault
// delays the request and lets it through.
func (e *Emulator) applyFault(r *http.Request, c *call, f *Fault, rec *Request, fail func(*apiError) response) (response, bool) {
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			rec.Fault = true
			return fail(errf(499, "RequestCanceled", "the client canceled the request")), true
		}
	}
	switch {
	case f.Drop:
		rec.Fault = true
		return response{drop: true}, true
	case f.Code != "":
		rec.Fault = true
		code, status := resolveCode(c.op.service, f.Code)
		if f.Status != 0 {
			status = f.Status
		}
		msg := f.Message
		if msg == "" {
			msg = "injected fault"
		}
		return fail(errf(status, code, "%s", msg)), true
	}
	return response{}, false
}

func isJSONRequest(r *http.Request) bool {
	return r.Header.Get("X-Amz-Target") != "" ||
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json")
}

// findQueryOperation resolves a form's Action. A request signed for EC2,
// IAM or STS is that service's, whatever its Action. An unsigned request,
// or one signed for another service, is routed by the Action's name so
// that its error comes in the right protocol; mismatch then reports a
// signature for the wrong service.
func findQueryOperation(service string, signed bool, action string) (op *operation, mismatch bool) {
	switch service {
	case svcEC2, svcIAM, svcSTS:
		return operations[service][action], false
	}
	for _, svc := range []string{svcEC2, svcIAM, svcSTS} {
		if op := operations[svc][action]; op != nil {
			return op, signed
		}
	}
	return nil, false
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
