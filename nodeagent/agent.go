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

package nodeagent

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/nodeagent/cniserver"
	"github.com/strata-net/strata/nodeagent/filemodes"
	"github.com/strata-net/strata/nodeagent/fqdn"
	"github.com/strata-net/strata/nodeagent/nodenet"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/packetin"
	"github.com/strata-net/strata/nodeagent/pipeline"
	"github.com/strata-net/strata/nodeagent/podsync"
	"github.com/strata-net/strata/nodeagent/policy"
	"github.com/strata-net/strata/nodeagent/proxy"
	"github.com/strata-net/strata/nodeagent/stats"
	"github.com/strata-net/strata/nodeagent/unixctl"
)

// Agent is a running strata-agent.
type Agent struct {
	cfg    Config
	client versioned.Interface
	// host is the node's Pod network, once set up (Config.Kube set).
	host atomic.Pointer[nodenet.Host]
	// running are the running pieces once Run has built them (readiness checks).
	running atomic.Pointer[components]
}

// ErrPodNetworkNotReady is returned by PodNetwork until the Node's Pod network is
// set up (the agent waits for the Node's spec.podCIDR first).
var ErrPodNetworkNotReady = errors.New("the node's Pod network is not set up yet")

// PodNetwork returns what the CNI server needs about the node's Pod network: the
// Pod CIDRs, the gateway of each, the gateway MAC and the MTU. It fails with
// ErrPodNetworkNotReady until the agent has set it up, and always when the agent
// runs without Config.Kube.
func (a *Agent) PodNetwork(context.Context) (nodenet.PodNetwork, error) {
	if a.cfg.Kube == nil {
		return nodenet.PodNetwork{}, errors.New("strata-agent runs without the Pod network (no kube-apiserver client)")
	}
	h := a.host.Load()
	if h == nil {
		return nodenet.PodNetwork{}, ErrPodNetworkNotReady
	}
	return h.PodNetwork(), nil
}

// New checks the configuration; Run does the work.
func New(cfg Config, client versioned.Interface) (*Agent, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if client == nil {
		return nil, errors.New("nodeagent: a strata-apiserver client is required")
	}
	return &Agent{cfg: cfg, client: client}, nil
}

// components are the running pieces of the agent.
type components struct {
	db       *ovsdb.Client
	of       *openflow.Client
	pipeline *pipeline.Pipeline
	policies *policy.Controller
	pods     *podsync.Syncer
	packetIn *packetin.Handler
	fqdns    *fqdn.Cache
	audit    *packetin.AuditLog
	stats    *stats.Collector
	round    pipeline.Round
	host     *nodenet.Host     // nil without Config.Kube
	cni      *cniserver.Server // nil without Config.Kube
	services *proxy.Tracker    // nil without Config.Kube
}

// synced tells whether the first complete sync is installed: every policy of
// the node and, with the Pod network, every Service.
func (p *components) synced() bool {
	return p.policies.Synced() && (p.services == nil || p.services.HasSynced())
}

// Run owns the bridge and enforces policies until ctx ends: the new round of flows
// is installed after the first full policy sync, then the previous agent's round is
// deleted, so traffic is enforced without a gap across restarts.
func (a *Agent) Run(ctx context.Context) error {
	p, err := a.start(ctx)
	if err != nil {
		return err
	}
	defer p.db.Close()
	a.running.Store(p)
	registerMetrics(a)
	defer a.running.Store(nil)
	defer func() {
		if err := p.audit.Close(); err != nil {
			klog.FromContext(ctx).Error(err, "Closing the audit log failed")
		}
	}()
	errc := make(chan error, 6)
	if p.host != nil {
		go func() { errc <- p.host.Run(ctx) }()
		go func() { errc <- p.cni.Run(ctx) }()
		go a.reconcileCNI(ctx, p)
		go func() { errc <- p.services.Run(ctx) }()
	}
	go func() { errc <- p.of.Run(ctx) }()
	go func() { errc <- p.pods.Run(ctx) }()
	go func() { errc <- p.policies.Run(ctx) }()
	go p.packetIn.Run(ctx, p.of.PacketIns())
	go p.fqdns.Run(ctx, p.pipeline.Policies().RefreshFQDNs)
	go p.stats.Run(ctx)
	go a.retireOldRound(ctx, p)
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
}

// start connects to OVS, prepares the bridge and builds the components.
func (a *Agent) start(ctx context.Context) (*components, error) {
	c := a.cfg
	db, err := ovsdb.Connect(ctx, c.dbSocket())
	if err != nil {
		return nil, fmt.Errorf("connecting to OVSDB at %s: %w", c.dbSocket(), err)
	}
	p := &components{db: db}
	if err := a.prepareBridge(ctx, p); err != nil {
		db.Close()
		return nil, err
	}
	if err := a.setupHost(ctx, p); err != nil {
		db.Close()
		return nil, err
	}
	if err := a.buildParts(p); err != nil {
		db.Close()
		return nil, err
	}
	// Before any rule is compiled: the addresses learnt before a restart.
	if err := p.fqdns.Load(); err != nil { // the Pods resolve their names again
		klog.FromContext(ctx).Error(err, "Starting with an empty FQDN cache")
	}
	if err := a.buildCNI(ctx, p); err != nil {
		db.Close()
		return nil, err
	}
	klog.FromContext(ctx).Info("strata-agent started", "node", c.NodeName, "bridge", c.Bridge,
		"datapath", c.DatapathType, "round", p.round.Next)
	return p, nil
}

func (a *Agent) prepareBridge(ctx context.Context, p *components) error {
	c := a.cfg
	err := p.db.CreateBridge(ctx, ovsdb.BridgeConfig{Name: c.Bridge, DatapathType: c.DatapathType,
		Protocols: []string{"OpenFlow15"}, FailMode: "secure", ExternalIDs: map[string]string{"strata.io/owner": "strata-agent"}})
	if err != nil {
		return fmt.Errorf("creating bridge %s: %w", c.Bridge, err)
	}
	if p.round, err = pipeline.NextRound(ctx, p.db, c.Bridge); err != nil {
		return fmt.Errorf("reading the flow round of %s: %w", c.Bridge, err)
	}
	if err := pipeline.NameTables(ctx, p.db, c.Bridge); err != nil {
		return fmt.Errorf("naming the tables of %s: %w", c.Bridge, err)
	}
	return nil
}

// setupHost sets up the node's Pod network when the agent has a kube-apiserver
// client: it waits for the Node's Pod CIDR, then creates the gateway, turns on
// forwarding and prepares the route controller.
func (a *Agent) setupHost(ctx context.Context, p *components) error {
	c := a.cfg
	if c.Kube == nil {
		return nil
	}
	host, err := nodenet.SetupHost(ctx, p.db, nodenet.HostConfig{NodeName: c.NodeName, Kube: c.Kube, NetNS: c.HostNetNS,
		Bridge: c.Bridge, GatewayName: c.GatewayName, MTU: c.MTU, PodCIDRTimeout: c.PodCIDRTimeout,
		IsolateNewLinks: c.DatapathType == DatapathNetdev, NodePorts: true})
	if err != nil {
		return fmt.Errorf("setting up the Pod network of node %s: %w", c.NodeName, err)
	}
	p.host = host
	a.host.Store(host)
	return nil
}

// pipelineGateway is the gateway as the pipeline sees it; nil without one.
func (a *Agent) pipelineGateway(p *components) *pipeline.Gateway {
	if p.host == nil {
		return nil
	}
	gw := p.host.Gateway()
	out := &pipeline.Gateway{OFPort: gw.OFPort, MAC: gw.MAC, PodCIDRs: gw.PodCIDRs, AllowHostIngress: !a.cfg.HostIngressPolicy,
		NodeIPs: p.host.NodeIPs()}
	for _, ip := range gw.IPs {
		out.IPs = append(out.IPs, net.IP(ip.AsSlice()))
	}
	return out
}

func (a *Agent) buildParts(p *components) error {
	c := a.cfg
	var pl *pipeline.Pipeline
	of, err := openflow.NewClient(openflow.ClientConfig{
		Conn: openflow.Config{Addr: c.mgmtSocket()},
		OnConnect: func(ctx context.Context, conn *openflow.Conn, reconnect bool) error {
			return pl.OnConnect(ctx, conn, reconnect)
		},
	})
	if err != nil {
		return fmt.Errorf("OpenFlow client for %s: %w", c.mgmtSocket(), err)
	}
	// The saved policies, the FQDN cache and np.log are root's only.
	if err := filemodes.Restrict(c.StateDir, c.AuditLogPath); err != nil {
		return fmt.Errorf("restricting the agent's files: %w", err)
	}
	if p.fqdns, err = fqdn.New(fqdn.Config{MinTTL: c.FQDNMinTTL, StatePath: c.fqdnStatePath()}); err != nil {
		return err
	}
	if pl, err = pipeline.New(pipeline.Config{Switch: of, Round: p.round.Next, PacketInRate: c.PacketInRate,
		Gateway: a.pipelineGateway(p), FQDNs: p.fqdns}); err != nil {
		return err
	}
	p.of, p.pipeline = of, pl
	if p.policies, err = policy.New(policy.Config{NodeName: c.NodeName, Client: a.client,
		Reconciler: pl.Policies(), StateDir: c.policyStateDir(), DatapathSync: a.revalidated}); err != nil {
		return err
	}
	if p.stats, err = stats.New(stats.Config{NodeName: c.NodeName, Counters: pl.Policies(), Client: a.client,
		Interval: c.StatsInterval}); err != nil {
		return err
	}
	if p.pods, err = podsync.New(podsync.Config{OVSDB: p.db, Bridge: c.Bridge, Pods: pl.Pods(), Changed: p.policies.PodChanged}); err != nil {
		return err
	}
	if c.Kube != nil {
		if p.services, err = proxy.New(proxy.Config{Kube: c.Kube, NodeName: c.NodeName, Sink: pl.Services()}); err != nil {
			return err
		}
	}
	dns, err := packetin.NewDNSHandler(packetin.DNSConfig{Learner: p.fqdns, Rules: pl.Policies(),
		Resumer: packetSender{of}, DatapathSync: a.revalidated})
	if err != nil {
		return err
	}
	p.audit = packetin.NewAuditLog(packetin.AuditLogConfig{Path: c.AuditLogPath})
	p.packetIn, err = packetin.NewHandler(packetin.Config{Rules: pl.Policies(), Pods: pl.Pods(),
		Sender: packetSender{of}, Log: p.audit,
		TableName: pipeline.TableName, RemoteRejectTable: pipeline.L3Forwarding,
		TranslatedRejectTable: pipeline.ConntrackZone, DNS: dns})
	return err
}

// revalidated returns once ovs-vswitchd's datapath holds no cached flow made
// before the call (revalidator/purge: every cached flow is deleted, and the next
// packet of each flow is classified again by the installed OpenFlow rules).
// revalidator/wait alone was not enough: a wildcarded cache entry made for an
// earlier verdict (e.g. "nw_src=10.244.1.0/24: allow", made when no address of
// that range was in a Drop) was seen to keep giving new connections the verdict of
// before their rule changed, for 30 s and more (userspace datapath, OVS 3.1).
// Connection tracking is not touched: established connections stay established.
func (a *Agent) revalidated(ctx context.Context) error {
	socket, err := unixctl.Socket(a.cfg.OVSRunDir, "ovs-vswitchd")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, revalidateTimeout)
	defer cancel()
	_, err = unixctl.Call(ctx, socket, "revalidator/purge")
	return err
}

// revalidateTimeout bounds one wait for the datapath's revalidation.
const revalidateTimeout = 10 * time.Second

// retireOldRound deletes the previous run's flows once the first complete policy
// sync is installed, and records the new round in OVSDB. Until then the previous
// round keeps enforcing, however long that takes: losing contact with
// strata-apiserver never removes a flow. It warns every SyncTimeout.
func (a *Agent) retireOldRound(ctx context.Context, p *components) {
	logger := klog.FromContext(ctx)
	start := time.Now()
	for {
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, a.cfg.SyncTimeout, true,
			func(context.Context) (bool, error) { return p.synced(), nil })
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		logger.Info("Warning: the first sync of policies and Services has not completed; the previous run's flows stay installed until it does",
			"waited", time.Since(start).Round(time.Second), "previousRound", p.round.Prev)
	}
	err := wait.ExponentialBackoffWithContext(ctx, retireBackoff, func(ctx context.Context) (bool, error) {
		if err := a.retire(ctx, p); err != nil {
			logger.Error(err, "Retiring the previous round failed, will retry", "round", p.round.Next, "old", p.round.Old())
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return // ctx ended
	}
	logger.Info("Policies synced; the previous rounds' flows are gone", "round", p.round.Next, "old", p.round.Old())
}

// retireBackoff paces the retries of retiring the previous rounds (1 s to 30 s,
// for as long as the agent runs).
var retireBackoff = wait.Backoff{Duration: time.Second, Factor: 2, Jitter: 0.1, Steps: math.MaxInt32, Cap: 30 * time.Second}

// retire deletes the flows of the older rounds, then records Next as complete.
func (a *Agent) retire(ctx context.Context, p *components) error {
	for _, old := range p.round.Old() {
		if err := p.pipeline.DeleteRound(ctx, old); err != nil {
			return err
		}
	}
	return pipeline.SaveRound(ctx, p.db, a.cfg.Bridge, p.round.Next)
}

// packetSender sends packet-outs on the current OpenFlow connection.
type packetSender struct{ client *openflow.Client }

func (s packetSender) SendPacketOut(ctx context.Context, po openflow.PacketOut) error {
	conn, err := s.client.Conn(ctx)
	if err != nil {
		return err
	}
	return conn.Send(ctx, po)
}

// Resume continues a packet the pipeline paused (DNS responses).
func (s packetSender) Resume(ctx context.Context, pi openflow.PacketIn2) error {
	conn, err := s.client.Conn(ctx)
	if err != nil {
		return err
	}
	return conn.Send(ctx, openflow.Resume{PacketIn: pi})
}
