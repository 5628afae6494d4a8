package awstest

// What tests ask of the audit log (Requests), in one place: the requests
// of one operation, how many there were, who sent them, and the write
// attempts as one comparable history. Each reads the log as it is now; all
// are safe for concurrent use.

// Calls returns the requests of operation op, its API name (e.g.
// "ListAccounts"), oldest first, whatever their outcome.
func (e *Emulator) Calls(op string) []Request {
	var out []Request
	for _, r := range e.Requests() {
		if r.Operation == op {
			out = append(out, r)
		}
	}
	return out
}

// CountCalls counts the requests of operation op, whatever their outcome.
func (e *Emulator) CountCalls(op string) int { return len(e.Calls(op)) }

// CountSucceeded counts the requests of operation op answered with
// success.
func (e *Emulator) CountSucceeded(op string) int {
	n := 0
	for _, r := range e.Calls(op) {
		if r.Succeeded() {
			n++
		}
	}
	return n
}

// CallCounts counts the requests of each operation, by API name.
func (e *Emulator) CallCounts() map[string]int { return CountOperations(e.Requests()) }

// CountOperations counts the requests of each operation in reqs, by API
// name.
func CountOperations(reqs []Request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		out[r.Operation]++
	}
	return out
}

// Callers returns the accounts that sent operation op, oldest first: for
// an IAM read, the accounts reached.
func (e *Emulator) Callers(op string) []string {
	var out []string
	for _, r := range e.Calls(op) {
		out = append(out, r.Account)
	}
	return out
}

// WriteLog renders the write attempts (Writes), oldest first: the IAM
// action ("ec2:EnableIpamOrganizationAdminAccount") for a success, with
// " !Code" appended for a failure, so that a test compares the whole
// history at once.
func (e *Emulator) WriteLog() []string {
	var out []string
	for _, r := range e.Writes() {
		s := r.Action
		if !r.Succeeded() {
			s += " !" + r.Code
		}
		out = append(out, s)
	}
	return out
}

// SucceededWrites is WriteLog without the failed attempts: the writes
// that changed state.
func (e *Emulator) SucceededWrites() []string {
	var out []string
	for _, r := range e.Writes() {
		if r.Succeeded() {
			out = append(out, r.Action)
		}
	}
	return out
}

// Cleaner is what StartServer needs of a test: *testing.T and
// *testing.B are ones.
type Cleaner interface{ Cleanup(func()) }

// StartServer starts an emulator over HTTP as NewServer does, and closes
// it when the test ends.
func StartServer(t Cleaner, optFns ...func(*ServerOptions)) *Server {
	srv := NewServer(optFns...)
	t.Cleanup(srv.Close)
	return srv
}
