package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Every size-like flag of serve is bounded, at both ends, by what its
// help states.
func TestServeBounds(t *testing.T) {
	valid := func() serveOptions {
		return serveOptions{limits: serveLimits{readTimeout: time.Minute, writeTimeout: time.Minute, idleTimeout: time.Minute, maxConns: 1}}
	}
	type edit func(*serveOptions)
	for _, tc := range []struct {
		flag     string
		ok, fail []edit
	}{
		{"--members",
			[]edit{func(o *serveOptions) { o.members, o.membersSet = 1, true }, func(o *serveOptions) { o.members, o.membersSet = maxMembers, true }},
			[]edit{func(o *serveOptions) { o.members, o.membersSet = 0, true }, func(o *serveOptions) { o.members, o.membersSet = maxMembers+1, true },
				func(o *serveOptions) { o.members, o.membersSet = -1, true }}},
		{"--ous",
			[]edit{func(o *serveOptions) { o.ous = 0 }, func(o *serveOptions) { o.ous = maxOUs }},
			[]edit{func(o *serveOptions) { o.ous = -1 }, func(o *serveOptions) { o.ous = maxOUs + 1 }}},
		{"--max-conns",
			[]edit{func(o *serveOptions) { o.limits.maxConns = maxMaxConns }},
			[]edit{func(o *serveOptions) { o.limits.maxConns = 0 }, func(o *serveOptions) { o.limits.maxConns = maxMaxConns + 1 }}},
		{"--lag",
			[]edit{func(o *serveOptions) { o.lag = maxServeDuration }},
			[]edit{func(o *serveOptions) { o.lag = -1 }, func(o *serveOptions) { o.lag = maxServeDuration + 1 }}},
		{"--role-lag",
			[]edit{func(o *serveOptions) { o.roleLag = maxServeDuration }},
			[]edit{func(o *serveOptions) { o.roleLag = -1 }, func(o *serveOptions) { o.roleLag = maxServeDuration + 1 }}},
		{"--discovery-lag",
			[]edit{func(o *serveOptions) { o.discoveryLag = maxServeDuration }},
			[]edit{func(o *serveOptions) { o.discoveryLag = -1 }, func(o *serveOptions) { o.discoveryLag = maxServeDuration + 1 }}},
		{"--ipam-delay",
			[]edit{func(o *serveOptions) { o.ipamDelay = maxServeDuration }},
			[]edit{func(o *serveOptions) { o.ipamDelay = -1 }, func(o *serveOptions) { o.ipamDelay = maxServeDuration + 1 }}},
		{"--read-timeout",
			[]edit{func(o *serveOptions) { o.limits.readTimeout = 1 }, func(o *serveOptions) { o.limits.readTimeout = maxServeDuration }},
			[]edit{func(o *serveOptions) { o.limits.readTimeout = 0 }, func(o *serveOptions) { o.limits.readTimeout = maxServeDuration + 1 }}},
		{"--write-timeout",
			[]edit{func(o *serveOptions) { o.limits.writeTimeout = maxServeDuration }},
			[]edit{func(o *serveOptions) { o.limits.writeTimeout = 0 }, func(o *serveOptions) { o.limits.writeTimeout = maxServeDuration + 1 }}},
		{"--idle-timeout",
			[]edit{func(o *serveOptions) { o.limits.idleTimeout = maxServeDuration }},
			[]edit{func(o *serveOptions) { o.limits.idleTimeout = -1 }, func(o *serveOptions) { o.limits.idleTimeout = maxServeDuration + 1 }}},
	} {
		for i, e := range tc.ok {
			o := valid()
			e(&o)
			if err := o.checkBounds(); err != nil {
				t.Errorf("%s, accepted value %d: %v", tc.flag, i, err)
			}
		}
		for i, e := range tc.fail {
			o := valid()
			e(&o)
			err := o.checkBounds()
			var ee *exitErr
			if !errors.As(err, &ee) || ee.code != exitUsage || !strings.HasPrefix(err.Error(), tc.flag+" must be ") {
				t.Errorf("%s, refused value %d: %v", tc.flag, i, err)
			}
		}
	}
	// The help states each bound.
	help := (&app{}).serveCommand().Flags()
	for flag, bound := range map[string]string{"members": "(1 to 100000)", "ous": "(0 to 2000)", "max-conns": "(1 to 65536)",
		"lag": "(at most 24h)", "role-lag": "(at most 24h)", "discovery-lag": "(at most 24h)", "ipam-delay": "(at most 24h)",
		"read-timeout": "(at most 24h)", "write-timeout": "(at most 24h)", "idle-timeout": "(at most 24h)"} {
		if f := help.Lookup(flag); f == nil || !strings.Contains(f.Usage, bound) {
			t.Errorf("--%s's help does not state %s", flag, bound)
		}
	}
}

// Through the binary: a bound is a usage error (64), before anything is
// built, however large the value.
func TestServeBoundsExitUsage(t *testing.T) {
	for _, tc := range []struct{ args, stderr string }{
		{"--members 0", "--members must be 1 to 100000, not 0"},
		{"--members 50000000", "--members must be 1 to 100000, not 50000000"},
		{"--members 3 --ous 2001", "--ous must be 0 to 2000, not 2001"},
		{"--max-conns 65537", "--max-conns must be 1 to 65536"},
		{"--discovery-lag 25h", "--discovery-lag must be 0 to 24h, not 25h0m0s"},
		{"--write-timeout 0s", "--write-timeout must be more than 0 to 24h"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			r := runCtl(t, baseEnv(t), append([]string{"serve"}, strings.Fields(tc.args)...)...)
			wantCode(t, r, exitUsage)
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%v", tc.stderr, r)
			}
		})
	}
}
