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

	var p protocol
	c := &call{ctx: r.Context(), requestID: rec.RequestID}
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
		}
		prefix, name, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		c.op = operations[svcOrganizations][name]
		if prefix != orgTargetPrefix || c.op == nil {
			rec.Operation = truncate(name, 64)
			return fail(errf(http.StatusBadRequest, "UnknownOperationException", "unknown operation %q", truncate(r.Header.Get("X-Amz-Target"), 128)))
		}
		rec.Operation, rec.Action, rec.Write = c.op.name, c.op.action(), c.op.write
		if ae := decodeJSON(body, &c.in); ae != nil {
			return fail(ae)
		}
	} else {
		_, scope, _ := credentialScope(r)
		p = queryProtocolFor(scope)
		switch {
		case err != nil:
			return fail(errf(http.StatusBadRequest, "MalformedQueryString", "could not read the request body"))
		case tooLarge:
			return fail(errf(http.StatusRequestEntityTooLarge, codeTooLarge, "request body larger than %d bytes", e.maxBody))
		}
		form, perr := url.ParseQuery(string(body))
		if perr != nil {
			return fail(errf(http.StatusBadRequest, "MalformedQueryString", "the request body is not a valid form"))
		}
		for k, v := range r.URL.Query() {
			if !strings.HasPrefix(k, "X-Amz-") {
				form[k] = append(form[k], v...)
			}
		}
		c.form = form
		actionName := form.Get("Action")
		if actionName == "" {
			return fail(errf(http.StatusBadRequest, "MissingAction", "the request must contain the parameter Action"))
		}
		c.op = findQueryOperation(scope, actionName)
		if c.op == nil {
			rec.Operation = truncate(actionName, 64)
			return fail(errf(http.StatusBadRequest, "InvalidAction", "the action %s is not valid for this web service", truncate(actionName, 64)))
		}
		p = queryProtocolFor(c.op.service)
		rec.Service, rec.Operation, rec.Action, rec.Write = c.op.service, c.op.name, c.op.action(), c.op.write
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

	id, ae := identify(r, c.op.service)
	if ae != nil {
		return fail(ae)
	}
	c.id, rec.Account = id, id.account

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

// findQueryOperation resolves a form's Action, first within the service the
// request was signed for, then, for unsigned requests or other scopes, in
// any query service that has an action of that name.
func findQueryOperation(scope, action string) *operation {
	switch scope {
	case svcEC2, svcIAM, svcSTS:
		return operations[scope][action]
	}
	for _, svc := range []string{svcEC2, svcIAM, svcSTS} {
		if op := operations[svc][action]; op != nil {
			return op
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
