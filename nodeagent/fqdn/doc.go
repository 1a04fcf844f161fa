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

// Package fqdn learns the addresses of domain names from the DNS responses
// that the Pods of FQDN rules receive on this node (one cache per node: a
// name learnt from one Pod's response serves every rule), for the FQDN peers
// of egress policy rules (`egress[].to[].fqdn`), with Antrea's semantics:
//
//   - A pattern is an exact name ("www.example.com") or contains "*", which
//     matches any run of characters, dots included: "*.example.com" matches
//     "www.example.com" and "a.b.example.com" but not "example.com" itself
//     (the dot before "example" is part of the pattern), "*example.com"
//     matches all three. Names and patterns compare case-insensitively, and a
//     trailing dot (the root) is ignored.
//   - The addresses of a name are the A and AAAA records of the responses,
//     including those reached through CNAME chains (the name and every alias
//     on the way get the addresses, each for the smallest TTL along its chain).
//   - Every address expires TTL after the response that carried it, unless a
//     later response carries it again (the latest response sets its expiry).
//     A new answer adds its addresses at once; an address it no longer
//     carries stays until its own TTL runs out, as the Pod may still use it.
//   - TTLs below Config.MinTTL (default 5 s) count as MinTTL, so that an
//     answer with TTL 0 (or one about to expire in an upstream cache) still
//     lets the Pod connect right after the resolution.
//   - The cache is saved (Config.StatePath, at most every second) and loaded
//     by a restarted agent before it compiles rules, so that a Drop keeps
//     dropping the addresses the Pods may still have cached; what was learnt
//     in the last second before a crash is learnt again at the next answer.
//
// The Cache is the name → addresses state; Records extracts what a DNS
// message says; the pipeline (nodeagent/pipeline) compiles FQDN peers from
// Cache.Addresses and the packet-in handler (nodeagent/packetin) feeds it.
//
//	DNS response to a Pod ─► packet-in (paused) ─► Records ─► Cache.Learn
//	      ─► changed names ─► pipeline rules with a matching pattern
//	      recompiled, one bundle ─► resume: the Pod gets the response
//	Cache.Run: at each expiry ─► changed names ─► the same recompile
package fqdn
