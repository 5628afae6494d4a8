package awstest

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// The emulator has no authentication: whoever reaches it acts as any
// account. Binding to loopback keeps other machines out but not the web
// pages a developer opens, which can make the browser post forms or
// fetches to 127.0.0.1, and, through DNS rebinding, read the answers. The
// guard refuses what no AWS SDK or CLI sends and such pages do, before the
// caller is identified and anything is run or read from the state
// (docs/emulator.md#refused):
//
//   - a Host that names neither the address the request reached, nor a
//     loopback name with its port, nor a name the options allow (DNS
//     rebinding: the page's own name, resolved to 127.0.0.1);
//   - a request a browser made (Origin or Sec-Fetch-Site present), unless
//     the options allow browsers;
//   - credentials in the query string (a presigned URL, which a page can
//     embed in a form's action): the SDKs sign these operations in the
//     Authorization header;
//   - on the control plane, a POST or DELETE with a body or a Content-Type
//     that is not application/json (a form posts text/plain or
//     application/x-www-form-urlencoded without asking the browser's
//     leave).
//
// Only POST reaches an AWS operation (route.go refuses other methods):
// the SDKs never send anything else for them.

// guard is what the options allow beyond the defaults.
type guard struct {
	hosts    []hostPattern
	browsers bool
}

// hostPattern is one allowed name, with the port it must carry ("" for
// any).
type hostPattern struct{ name, port string }

// WithAllowedHosts adds names to ServerOptions.AllowedHosts.
func WithAllowedHosts(names ...string) func(*ServerOptions) {
	return func(o *ServerOptions) { o.AllowedHosts = append(o.AllowedHosts, names...) }
}

// WithBrowserOrigin sets ServerOptions.AllowBrowserOrigin.
func WithBrowserOrigin() func(*ServerOptions) {
	return func(o *ServerOptions) { o.AllowBrowserOrigin = true }
}

func newGuard(o *ServerOptions) (guard, error) {
	g := guard{browsers: o.AllowBrowserOrigin}
	for _, h := range o.AllowedHosts {
		p, err := parseHostPattern(h)
		if err != nil {
			return guard{}, err
		}
		g.hosts = append(g.hosts, p)
	}
	return g, nil
}

// parseHostPattern reads an allowed host: NAME, or NAME:PORT.
func parseHostPattern(s string) (hostPattern, error) {
	bad := func(why string) (hostPattern, error) {
		return hostPattern{}, fmt.Errorf("allowed host %q: %s; want NAME or NAME:PORT, e.g. emulator or emulator:4566", truncate(s, 64), why)
	}
	if strings.ContainsAny(s, "/@?#") {
		return bad("not a host name (a URL?)")
	}
	name, port, err := net.SplitHostPort(s)
	if err != nil {
		name, port = s, ""
		if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
			name = s[1 : len(s)-1]
		}
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return bad("the port is not 1 to 65535")
	}
	if name == "" || strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '[' || r == ']' }) {
		return bad("not a host name")
	}
	if _, err := netip.ParseAddr(name); err != nil && strings.Contains(name, ":") {
		return bad("not a host name")
	}
	return hostPattern{strings.ToLower(name), port}, nil
}

// refusal is why a request is refused, before the protocol's shape.
type refusal struct {
	status  int // for the control plane; AWS requests take their protocol's
	message string
}

// admit returns why r must be refused, or nil.
func (g *guard) admit(r *http.Request) *refusal {
	if !g.hostServed(r) {
		return &refusal{http.StatusForbidden, fmt.Sprintf("the emulator refuses Host %q: it is not the address the request reached, nor a loopback name with its port "+
			"(allow other names with serve --allow-host NAME or ServerOptions.AllowedHosts)", truncate(r.Host, 128))}
	}
	if !g.browsers && (r.Header.Get("Origin") != "" || r.Header.Get("Sec-Fetch-Site") != "") {
		return &refusal{http.StatusForbidden, "the emulator refuses requests from web browsers (Origin or Sec-Fetch-Site present): " +
			"a web page must not drive it (allow them with serve --allow-browser-origin or ServerOptions.AllowBrowserOrigin)"}
	}
	return nil
}

// admitAWS is admit for AWS requests, as an error of service's protocol.
// Assumption (docs/emulator.md#refused): AWS's answer to these requests is
// undocumented; the emulator answers as each service denies access.
func (g *guard) admitAWS(r *http.Request, service string) *apiError {
	ref := g.admit(r)
	if ref == nil {
		for k := range r.URL.Query() {
			if len(k) > 6 && strings.EqualFold(k[:6], "X-Amz-") {
				ref = &refusal{message: "the emulator refuses credentials in the query string (X-Amz-* parameters, a presigned URL): " +
					"AWS SDKs and CLIs sign these operations in the Authorization header"}
				break
			}
		}
	}
	if ref == nil {
		return nil
	}
	switch service {
	case svcOrganizations:
		return errf(defaultStatus(service, "AccessDeniedException"), "AccessDeniedException", "%s", ref.message)
	case svcEC2:
		return errf(http.StatusForbidden, "UnauthorizedOperation", "%s", ref.message)
	}
	return errf(http.StatusForbidden, "AccessDenied", "%s", ref.message)
}

// admitControl is admit for the control plane, which takes JSON only.
func (g *guard) admitControl(r *http.Request) *refusal {
	if ref := g.admit(r); ref != nil {
		return ref
	}
	if r.Method != http.MethodPost && r.Method != http.MethodDelete {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" && r.ContentLength == 0 {
		return nil // nothing to read: curl -X POST $E/_awstest/reset
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return &refusal{http.StatusUnsupportedMediaType, fmt.Sprintf("%s %s: the control plane takes Content-Type application/json, not %q "+
			"(curl: -H 'Content-Type: application/json')", r.Method, r.URL.Path, truncate(ct, 64))}
	}
	return nil
}

// hostServed reports whether r's Host names the address r reached: that
// address itself, a loopback name (localhost, 127.0.0.1, [::1], …) with its
// port, or an allowed name. A request that reached no TCP listener (the
// in-memory transport of HTTPClient, or ServeHTTP called directly) came
// from inside the process, where no web page is: its Host is not judged.
func (g *guard) hostServed(r *http.Request) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr)
	if !ok {
		return true
	}
	name, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		name, port = strings.TrimSuffix(strings.TrimPrefix(r.Host, "["), "]"), "80"
		if r.TLS != nil {
			port = "443"
		}
	}
	name = strings.ToLower(name)
	if name == "" {
		return false
	}
	for _, p := range g.hosts {
		if p.name == name && (p.port == "" || p.port == port) {
			return true
		}
	}
	if port != strconv.Itoa(local.Port) {
		return false
	}
	if name == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(name)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	served, _ := netip.AddrFromSlice(local.IP)
	return ip.IsLoopback() || ip.WithZone("") == served.Unmap().WithZone("")
}
