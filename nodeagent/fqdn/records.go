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
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// Record is one address of a name, valid for TTL from the response.
type Record struct {
	Name string // normalized
	Addr netip.Addr
	TTL  time.Duration
}

// maxChain bounds the CNAME hops followed from an address record back to
// the names that alias it (DNS servers stop at about 8-16).
const maxChain = 16

// Records are the addresses a DNS response gives: each A and AAAA record of
// the answer section for its own name, and for every name whose CNAME chain
// in the answer leads to it, with the smallest TTL along the chain. Other
// sections (authority, additional) are not answers and are ignored, as are
// responses that are not successful answers.
func Records(msg *dns.Msg) []Record {
	if msg == nil || !msg.Response || msg.Rcode != dns.RcodeSuccess {
		return nil
	}
	aliases := map[string][]*dns.CNAME{} // target → the CNAMEs pointing at it
	for _, rr := range msg.Answer {
		if c, ok := rr.(*dns.CNAME); ok {
			t := Normalize(c.Target)
			aliases[t] = append(aliases[t], c)
		}
	}
	var out []Record
	for _, rr := range msg.Answer {
		addr, ok := addressOf(rr)
		if !ok {
			continue
		}
		out = appendChain(out, aliases, Normalize(rr.Header().Name), addr, rr.Header().Ttl)
	}
	return out
}

func addressOf(rr dns.RR) (netip.Addr, bool) {
	switch r := rr.(type) {
	case *dns.A:
		a, ok := netip.AddrFromSlice(r.A.To4())
		return a, ok
	case *dns.AAAA:
		a, ok := netip.AddrFromSlice(r.AAAA.To16())
		return a.Unmap(), ok
	}
	return netip.Addr{}, false
}

// appendChain adds the record of name and, breadth first, of each alias
// leading to it, once per name (a CNAME loop ends there).
func appendChain(out []Record, aliases map[string][]*dns.CNAME, name string, addr netip.Addr, ttl uint32) []Record {
	type hop struct {
		name string
		ttl  uint32
	}
	seen := map[string]bool{name: true}
	queue := []hop{{name, ttl}}
	for depth := 0; len(queue) > 0 && depth <= maxChain; depth++ {
		var next []hop
		for _, h := range queue {
			out = append(out, Record{Name: h.name, Addr: addr, TTL: time.Duration(h.ttl) * time.Second})
			for _, c := range aliases[h.name] {
				from := Normalize(c.Hdr.Name)
				if !seen[from] {
					seen[from] = true
					next = append(next, hop{from, min(h.ttl, c.Hdr.Ttl)})
				}
			}
		}
		queue = next
	}
	return out
}
