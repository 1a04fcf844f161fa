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

// Package packetin handles the packet-ins the policy pipeline sends to the agent
// (NXT_PACKET_IN2 with userdata [category=1, operations]):
//
//	packet-in ──► Handler ──┬─ op&1 log:    one np.log line per new connection
//	                        │               (Drop/Reject lines folded per second)
//	                        └─ op&2 reject: a TCP reset, or an ICMP "administratively
//	                                        prohibited", sent back to the source Pod
//	                                        with a packet-out
//
// DNS responses to the Pods of FQDN rules come paused (controller(pause),
// userdata [2]); DNSHandler (dns.go) learns their addresses into the
// nodeagent/fqdn cache, has the pipeline install the rules of new addresses
// and purge the datapath's cached flows, and only then resumes the response
// (NXT_RESUME), so the Pod's first connection meets the rules. A frame that is
// not a parseable DNS answer is resumed unchanged; a response whose install
// fails or takes longer than InstallTimeout is dropped, never delivered (fail
// closed: its addresses could otherwise be reached before a Drop on them is
// installed), and its names are installed again with the next answer that
// carries them; a response that finds the DNS queue full is dropped too (the
// resolver retries).
//
// The reset answers any TCP segment as RFC 9293 §3.10.7.1 says a segment of no
// connection is answered, so that a rejected segment of an established
// connection (picked up as new after conntrack lost its state, e.g. when
// ovs-vswitchd restarted) resets the sender too, not only a SYN: RST with
// seq = SEG.ACK when the segment carries an ACK, else RST|ACK with seq 0 and
// ack = SEG.SEQ + SEG.LEN. A reset is never answered.
//
// The registers it reads follow the pipeline's layout (nodeagent/pipeline/fields.go): the
// deciding table in reg2[0..7], the disposition in reg0[11..12], the Antrea-native
// deny bit reg0[10], the deny conjunction in reg3, the allow conjunction in reg5
// (egress) or reg6 (ingress). Packet-ins are rate-limited by an OpenFlow meter in the
// pipeline and by a bounded queue here, so a flood cannot starve the agent.
package packetin
