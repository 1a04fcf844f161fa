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

package packetin

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/miekg/dns"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/nodeagent/fqdn"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// categoryDNS is the userdata category of paused DNS responses
// (pipeline.PacketInCategoryDNS).
const categoryDNS = 2

// Learner records the addresses of a DNS response and returns the names
// whose addresses changed (*fqdn.Cache).
type Learner interface {
	Learn(ctx context.Context, recs []fqdn.Record) []string
}

// FQDNRefresher updates the rules whose FQDN patterns match names
// (pipeline.PolicyFlows) and tells whether there were any.
type FQDNRefresher interface {
	RefreshFQDNRules(ctx context.Context, names []string) (refreshed bool, err error)
}

// Resumer continues a paused packet (an NXT_RESUME of its packet-in).
type Resumer interface {
	Resume(ctx context.Context, pi openflow.PacketIn2) error
}

// DNSConfig configures a DNSHandler.
type DNSConfig struct {
	Learner Learner
	Rules   FQDNRefresher
	Resumer Resumer
	// DatapathSync, when set, runs after rules were refreshed and before
	// the response is resumed: it makes the datapath drop the flows it
	// cached for the verdicts of before (ovs-vswitchd's revalidator/purge),
	// which would otherwise still give a new connection the old verdict
	// for a while, letting it escape a Drop.
	DatapathSync func(ctx context.Context) error
	// InstallTimeout bounds how long a response waits for the rules of its
	// new addresses; after it, as after a failed install, the response is
	// dropped, never delivered (fail closed: the Pod could otherwise reach a
	// new address before a Drop on it is installed), and its names are
	// installed again with the next answer that carries them (the Pod's
	// resolver asks again). Default 2 s.
	InstallTimeout time.Duration
	// QueueSize bounds the responses waiting for the handler; a response
	// beyond it is dropped (the Pod's resolver retries), never delivered
	// unlearnt. Default 1024.
	QueueSize int
}

// Defaults fills zero values.
func (c *DNSConfig) Defaults() {
	if c.InstallTimeout == 0 {
		c.InstallTimeout = 2 * time.Second
	}
	if c.QueueSize == 0 {
		c.QueueSize = 1024
	}
}

// Validate checks the configuration.
func (c *DNSConfig) Validate() error {
	if c.Learner == nil || c.Rules == nil || c.Resumer == nil {
		return errors.New("packetin: DNS Learner, Rules and Resumer are required")
	}
	if c.InstallTimeout < 0 || c.QueueSize < 0 {
		return fmt.Errorf("packetin: negative DNS InstallTimeout %s or QueueSize %d", c.InstallTimeout, c.QueueSize)
	}
	return nil
}

// DNSHandler learns the addresses of the DNS responses the pipeline paused
// and resumes each once the rules of its new addresses are installed (so
// the Pod's first connection after the resolution meets them). A response
// that is not a parseable DNS answer is resumed unchanged at once.
type DNSHandler struct {
	cfg   DNSConfig
	queue chan openflow.PacketIn2
	// uninstalled are the names whose last install failed: the next answer
	// carrying one installs it again, learnt addresses or not. Used by the
	// Run goroutine only.
	uninstalled map[string]bool
	// dropped counts responses dropped with a full queue (logged once per
	// second at most).
	dropped    int
	lastLogged time.Time
}

// NewDNSHandler returns a handler; Run processes what Enqueue queues.
func NewDNSHandler(cfg DNSConfig) (*DNSHandler, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &DNSHandler{cfg: cfg, queue: make(chan openflow.PacketIn2, cfg.QueueSize), uninstalled: map[string]bool{}}, nil
}

// Enqueue queues a paused response without blocking (the packet-in reader
// must not wait for installs). Called from one goroutine.
func (h *DNSHandler) Enqueue(ctx context.Context, pi openflow.PacketIn2) {
	select {
	case h.queue <- pi:
		return
	default:
	}
	h.dropped++
	if now := time.Now(); now.Sub(h.lastLogged) >= time.Second {
		klog.FromContext(ctx).Info("Dropping DNS responses: the DNS packet-in queue is full", "dropped", h.dropped)
		h.lastLogged, h.dropped = now, 0
	}
}

// Run handles queued responses until ctx ends.
func (h *DNSHandler) Run(ctx context.Context) {
	logger := klog.FromContext(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case pi := <-h.queue:
			if err := h.Handle(ctx, pi); err != nil {
				logger.Error(err, "Handling a DNS response")
			}
		}
	}
}

// Handle learns one paused response and resumes it once its rules are
// installed, or at once when it teaches nothing. When the install fails or
// outlasts InstallTimeout the response is dropped (logged), never delivered.
func (h *DNSHandler) Handle(ctx context.Context, pi openflow.PacketIn2) error {
	if names := h.toInstall(ctx, pi); len(names) > 0 {
		ictx, cancel := context.WithTimeout(ctx, h.cfg.InstallTimeout)
		err := h.install(ictx, names)
		cancel()
		for _, n := range names {
			if err != nil {
				h.uninstalled[n] = true
			} else {
				delete(h.uninstalled, n)
			}
		}
		if err != nil {
			klog.FromContext(ctx).Error(err, "Dropping a DNS response: the rules of its new addresses are not installed (the Pod's resolver will ask again)",
				"names", names)
			return nil
		}
	}
	if err := h.cfg.Resumer.Resume(ctx, pi); err != nil {
		return fmt.Errorf("resuming a DNS response: %w", err)
	}
	return nil
}

// toInstall learns the response's answer and returns the names whose rules
// to install: those whose addresses changed, and those of the answer whose
// last install failed.
func (h *DNSHandler) toInstall(ctx context.Context, pi openflow.PacketIn2) []string {
	recs := h.records(ctx, pi)
	if len(recs) == 0 {
		return nil
	}
	names := h.cfg.Learner.Learn(ctx, recs)
	for _, r := range recs {
		if h.uninstalled[r.Name] && !slices.Contains(names, r.Name) {
			names = append(names, r.Name)
		}
	}
	return names
}

// install refreshes the rules of names, then syncs the datapath.
func (h *DNSHandler) install(ctx context.Context, names []string) error {
	refreshed, err := h.cfg.Rules.RefreshFQDNRules(ctx, names)
	if err != nil || !refreshed || h.cfg.DatapathSync == nil {
		return err
	}
	if err := h.cfg.DatapathSync(ctx); err != nil {
		return fmt.Errorf("syncing the datapath after the FQDN rules changed: %w", err)
	}
	return nil
}

// records are the address records of the answer the packet carries, if any.
func (h *DNSHandler) records(ctx context.Context, pi openflow.PacketIn2) []fqdn.Record {
	msg, err := dnsMessage(pi.Packet)
	if err != nil {
		klog.FromContext(ctx).V(4).Info("Not a DNS answer; delivered unchanged", "err", err)
		return nil
	}
	return fqdn.Records(msg)
}

// dnsMessage parses the DNS message of a UDP datagram, or of a TCP segment
// that holds one whole length-prefixed message (a response split over
// segments is not parsed: its addresses are not learnt).
func dnsMessage(frame []byte) (*dns.Msg, error) {
	pkt, err := Parse(frame)
	if err != nil {
		return nil, err
	}
	data := pkt.Payload
	switch pkt.Protocol {
	case protoUDP:
	case protoTCP:
		if len(data) < 2 || int(binary.BigEndian.Uint16(data)) != len(data)-2 {
			return nil, fmt.Errorf("a TCP segment of %d bytes without one whole DNS message", len(data))
		}
		data = data[2:]
	default:
		return nil, fmt.Errorf("protocol %d is neither UDP nor TCP", pkt.Protocol)
	}
	msg := new(dns.Msg)
	if err := msg.Unpack(data); err != nil {
		return nil, fmt.Errorf("parsing a DNS message: %w", err)
	}
	return msg, nil
}
