package awstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// controlPrefix is where the control plane lives. No AWS request has a
// path under it: the AWS protocols the emulator serves all post to "/".
const controlPrefix = "/_awstest/"

// The control plane (docs/emulator.md#control-plane) drives the emulator
// over HTTP with JSON, for clients in any language:
//
//	GET    /_awstest/health  {"status":"ok"}
//	POST   /_awstest/reset   back to the starting state (Reset)
//	GET    /_awstest/audit   the audit log (Requests) as a JSON array
//	DELETE /_awstest/audit   empties it (ResetRequests)
//	GET    /_awstest/faults  the faults in force
//	POST   /_awstest/faults  injects one (InjectFault): {"operation": …, "code": …, …}
//	DELETE /_awstest/faults  removes them all (ClearFaults)
//	GET    /_awstest/state   the latest state (Snapshot)
//	GET    /_awstest/lag     the lags and delays in force
//	POST   /_awstest/lag     changes some: {"lag": "2s", "memberRoleLag": …, "discoveryLag": …, "ipamDelay": …}
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	if ref := e.guard.admitControl(r); ref != nil {
		controlError(w, ref.status, "%s", ref.message)
		return
	}
	type route struct {
		method string
		serve  func(w http.ResponseWriter, r *http.Request)
	}
	routes := map[string][]route{
		"health": {{http.MethodGet, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}}},
		"reset": {{http.MethodPost, func(w http.ResponseWriter, _ *http.Request) {
			e.Reset()
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}}},
		"audit": {
			{http.MethodGet, func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, http.StatusOK, e.Requests())
			}},
			{http.MethodDelete, func(w http.ResponseWriter, _ *http.Request) {
				e.ResetRequests()
				writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
			}},
		},
		"faults": {
			{http.MethodGet, func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, http.StatusOK, e.faultsJSON())
			}},
			{http.MethodPost, e.postFault},
			{http.MethodDelete, func(w http.ResponseWriter, _ *http.Request) {
				e.ClearFaults()
				writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
			}},
		},
		"state": {{http.MethodGet, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, e.Snapshot())
		}}},
		"lag": {
			{http.MethodGet, func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, http.StatusOK, e.lagsJSON())
			}},
			{http.MethodPost, e.postLag},
		},
	}
	name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, controlPrefix), "/")
	rs, ok := routes[name]
	if !ok {
		names := sortedKeys(routes)
		controlError(w, http.StatusNotFound, "no control-plane endpoint %s; there are %s", r.URL.Path, controlPrefix+strings.Join(names, ", "+controlPrefix))
		return
	}
	var allowed []string
	for _, rt := range rs {
		if rt.method == r.Method {
			rt.serve(w, r)
			return
		}
		allowed = append(allowed, rt.method)
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	controlError(w, http.StatusMethodNotAllowed, "%s %s: use %s", r.Method, r.URL.Path, strings.Join(allowed, " or "))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding the answer failed"}`)
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func controlError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

func (e *Emulator) postFault(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		controlError(w, http.StatusBadRequest, "reading the request: %v", err)
		return
	}
	op, f, err := DecodeFault(body)
	if err != nil {
		controlError(w, http.StatusBadRequest, "%v", err)
		return
	}
	e.InjectFault(op, f)
	writeJSON(w, http.StatusOK, toFaultJSON(op, f, f.Count))
}

func (e *Emulator) faultsJSON() []faultJSON {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	out := make([]faultJSON, 0, len(e.faults.rules))
	for _, r := range e.faults.rules {
		out = append(out, toFaultJSON(r.op, r.f, r.left))
	}
	return out
}

// lagsJSON is the lags and delays in force, as Go duration strings.
type lagsJSON struct {
	Lag           string `json:"lag"`
	MemberRoleLag string `json:"memberRoleLag"`
	DiscoveryLag  string `json:"discoveryLag"`
	IPAMDelay     string `json:"ipamDelay"`
}

func (e *Emulator) lagsJSON() lagsJSON {
	e.mu.Lock()
	defer e.mu.Unlock()
	return lagsJSON{e.lag.String(), e.memberRoleLag.String(), e.discoveryLag.String(), e.ipamDelay.String()}
}

// postLag changes the lags the request names, as SetLag,
// SetMemberRoleLag, SetDiscoveryLag and SetIPAMDelay do; all or none.
func (e *Emulator) postLag(w http.ResponseWriter, r *http.Request) {
	var in map[string]string
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<12))
	if err := dec.Decode(&in); err != nil {
		controlError(w, http.StatusBadRequest, "lag: want a JSON object of Go durations, such as {\"discoveryLag\": \"0s\"}: %v", err)
		return
	}
	setters := map[string]func(time.Duration){
		"lag": e.SetLag, "memberRoleLag": e.SetMemberRoleLag, "discoveryLag": e.SetDiscoveryLag, "ipamDelay": e.SetIPAMDelay,
	}
	parsed := map[string]time.Duration{}
	for k, v := range in {
		if setters[k] == nil {
			controlError(w, http.StatusBadRequest, "lag: unknown field %q; there are %s", k, strings.Join(sortedKeys(setters), ", "))
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			controlError(w, http.StatusBadRequest, "lag: %s %q is not a non-negative Go duration such as \"2s\"", k, v)
			return
		}
		parsed[k] = d
	}
	for k, d := range parsed {
		setters[k](d)
	}
	writeJSON(w, http.StatusOK, e.lagsJSON())
}
