/*
Copyright The Strata Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package fqdn

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMatches(t *testing.T) {
	cases := []struct {
		name, pattern, fqdn string
		want                bool
	}{
		{"exact", "www.example.com", "www.example.com", true},
		{"exact is case-insensitive", "WWW.Example.com", "www.EXAMPLE.com.", true},
		{"exact does not match a sub-domain", "example.com", "www.example.com", false},
		{"wildcard matches a sub-domain", "*.example.com", "www.example.com", true},
		{"wildcard matches deeper sub-domains", "*.example.com", "a.b.example.com", true},
		{"wildcard with a dot does not match the apex", "*.example.com", "example.com", false},
		{"wildcard without a dot matches the apex", "*example.com", "example.com", true},
		{"wildcard is anchored at the end", "*.example.com", "www.example.com.evil.org", false},
		{"wildcard is anchored at the start", "www.*.com", "xwww.example.com", false},
		{"wildcard in the middle", "www.*.com", "www.example.com", true},
		{"two wildcards", "*.svc.*.test", "a.svc.b.test", true},
		{"wildcard does not match another domain", "*.example.com", "www.example.org", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Matches(tc.pattern, tc.fqdn))
		})
	}
}

func rr(t *testing.T, s string) dns.RR {
	t.Helper()
	r, err := dns.NewRR(s)
	require.NoError(t, err)
	return r
}

func TestRecords(t *testing.T) {
	cases := []struct {
		name   string
		answer []string
		rcode  int
		want   []Record
	}{
		{"A and AAAA", []string{"www.example.test. 30 IN A 10.0.0.1", "WWW.example.test. 40 IN AAAA fd00::1"}, dns.RcodeSuccess,
			[]Record{{"www.example.test", netip.MustParseAddr("10.0.0.1"), 30 * time.Second},
				{"www.example.test", netip.MustParseAddr("fd00::1"), 40 * time.Second}}},
		{"CNAME chain: every alias gets the address with the smallest TTL on its way",
			[]string{"a.test. 100 IN CNAME b.test.", "b.test. 20 IN CNAME c.test.", "c.test. 60 IN A 10.0.0.2"}, dns.RcodeSuccess,
			[]Record{{"c.test", netip.MustParseAddr("10.0.0.2"), 60 * time.Second},
				{"b.test", netip.MustParseAddr("10.0.0.2"), 20 * time.Second},
				{"a.test", netip.MustParseAddr("10.0.0.2"), 20 * time.Second}}},
		{"CNAME loop ends", []string{"a.test. 10 IN CNAME b.test.", "b.test. 10 IN CNAME a.test.", "a.test. 10 IN A 10.0.0.3"}, dns.RcodeSuccess,
			[]Record{{"a.test", netip.MustParseAddr("10.0.0.3"), 10 * time.Second},
				{"b.test", netip.MustParseAddr("10.0.0.3"), 10 * time.Second}}},
		{"a failed answer teaches nothing", []string{"www.example.test. 30 IN A 10.0.0.1"}, dns.RcodeServerFailure, nil},
		{"other records are ignored", []string{"www.example.test. 30 IN TXT \"10.0.0.1\""}, dns.RcodeSuccess, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := new(dns.Msg)
			msg.Response, msg.Rcode = true, tc.rcode
			for _, s := range tc.answer {
				msg.Answer = append(msg.Answer, rr(t, s))
			}
			assert.Equal(t, tc.want, Records(msg))
		})
	}
	t.Run("a query teaches nothing", func(t *testing.T) {
		msg := new(dns.Msg)
		msg.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "x.test.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 5}, A: net.IPv4(10, 0, 0, 9)}}
		assert.Empty(t, Records(msg))
	})
}

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func TestCacheLearnAndExpire(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1000, 0)}
	c, err := New(Config{MinTTL: 5 * time.Second, Now: clock.Now})
	require.NoError(t, err)
	ctx := context.Background()
	a1, a2 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")

	require.Equal(t, []string{"www.example.test"}, c.Learn(ctx, []Record{{"www.example.test", a1, 30 * time.Second}}))
	require.Empty(t, c.Learn(ctx, []Record{{"www.example.test", a1, 30 * time.Second}}), "a refresh changes nothing")
	require.Equal(t, []netip.Addr{a1}, c.Addresses("WWW.example.test."))
	require.Equal(t, []netip.Addr{a1}, c.Addresses("*.example.test"))
	require.Empty(t, c.Addresses("*.other.test"))

	require.Equal(t, []string{"www.example.test"}, c.Learn(ctx, []Record{{"www.example.test", a2, 1 * time.Second}}),
		"a new address is a change")
	require.Equal(t, []netip.Addr{a1, a2}, c.Addresses("www.example.test"), "the old address stays until its TTL")

	clock.now = clock.now.Add(4 * time.Second)
	changed, _ := c.expire(clock.now)
	require.Empty(t, changed, "a TTL of 1 s counts as MinTTL 5 s")
	clock.now = clock.now.Add(time.Second)
	changed, next := c.expire(clock.now)
	require.Equal(t, []string{"www.example.test"}, changed)
	require.Equal(t, []netip.Addr{a1}, c.Addresses("www.example.test"))
	require.Equal(t, time.Unix(1030, 0), next)

	clock.now = clock.now.Add(10 * time.Second)
	c.Learn(ctx, []Record{{"www.example.test", a1, 2 * time.Second}})
	clock.now = clock.now.Add(5 * time.Second)
	changed, next = c.expire(clock.now)
	require.Equal(t, []string{"www.example.test"}, changed, "the latest response sets the expiry")
	require.Empty(t, c.Addresses("www.example.test"))
	require.True(t, next.IsZero())
}

func TestCacheRunExpires(t *testing.T) {
	c, err := New(Config{MinTTL: 50 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan []string, 4)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx, func(_ context.Context, names []string) error { got <- names; return nil })
	}()
	c.Learn(ctx, []Record{{"a.test", netip.MustParseAddr("10.0.0.1"), 0}})
	select {
	case names := <-got:
		require.Equal(t, []string{"a.test"}, names)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not report the expiry of a.test within 5 s")
	}
	require.Empty(t, c.Addresses("a.test"))
	cancel()
	<-done
}

func TestConfigValidate(t *testing.T) {
	_, err := New(Config{MinTTL: -time.Second})
	require.ErrorContains(t, err, "MinTTL")
}
