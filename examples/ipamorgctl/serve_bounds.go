package main

import (
	"strconv"
	"time"
)

// The bounds of serve's size-like flags, stated in their help. A value
// beyond them is a usage error before anything is built, as a scenario
// file beyond its size is: unbounded, --members 50000000 exhausted the
// machine's memory and died with a runtime fatal error instead.
const (
	// maxMembers: 100,000 members take some 65 MB; no organization AWS
	// grants has more (Organizations' account quota goes to tens of
	// thousands), and the scenario file's bound holds as many.
	maxMembers = 100_000
	// maxOUs is Organizations' quota of OUs in an organization.
	maxOUs = 2_000
	// maxMaxConns: each connection takes a file descriptor; 65,536 is
	// far above what one machine's clients keep open to the emulator.
	maxMaxConns = 65_536
	// maxServeDuration bounds the lags, delays and timeouts: a day is
	// longer than any test waits.
	maxServeDuration = 24 * time.Hour
)

// checkBounds refuses a size-like flag outside its bounds.
func (o serveOptions) checkBounds() error {
	for _, b := range []struct {
		flag      string
		v, lo, hi int
		given     bool
	}{
		{"--members", o.members, 1, maxMembers, o.membersSet},
		{"--ous", o.ous, 0, maxOUs, true},
		{"--max-conns", o.limits.maxConns, 1, maxMaxConns, true},
	} {
		if b.given && (b.v < b.lo || b.v > b.hi) {
			return usageError("%s must be %d to %d, not %d", b.flag, b.lo, b.hi, b.v)
		}
	}
	for _, b := range []struct {
		flag     string
		v        time.Duration
		positive bool
	}{
		{"--lag", o.lag, false},
		{"--role-lag", o.roleLag, false},
		{"--discovery-lag", o.discoveryLag, false},
		{"--ipam-delay", o.ipamDelay, false},
		{"--read-timeout", o.limits.readTimeout, true},
		{"--write-timeout", o.limits.writeTimeout, true},
		{"--idle-timeout", o.limits.idleTimeout, true},
	} {
		lo := "0"
		if b.positive {
			lo = "more than 0"
		}
		if b.v < 0 || b.positive && b.v == 0 || b.v > maxServeDuration {
			return usageError("%s must be %s to %s, not %v", b.flag, lo, durationBound, b.v)
		}
	}
	return nil
}

// durationBound is maxServeDuration as the help says it.
var durationBound = strconv.Itoa(int(maxServeDuration/time.Hour)) + "h"

// countRange and durationRange are the bounds as the help states them.
func countRange(lo, hi int) string {
	return "(" + strconv.Itoa(lo) + " to " + strconv.Itoa(hi) + ")"
}

func durationRange() string { return "(at most " + durationBound + ")" }
