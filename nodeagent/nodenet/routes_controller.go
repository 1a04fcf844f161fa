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

package nodenet

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync/atomic"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

// RouteProtocol is the rtnetlink protocol number that marks the routes the
// agent owns ("ip route show proto 211"). It is unassigned in
// /etc/iproute2/rt_protos.
const RouteProtocol = 211

// Defaults of RouteControllerConfig.
const (
	defaultResyncPeriod = 30 * time.Second
	routesKey           = "routes"
)

// RouteControllerConfig configures a RouteController.
type RouteControllerConfig struct {
	// NodeName is this node; its own Pod CIDRs are never routed. Required.
	NodeName string
	// Kube lists and watches Nodes. Required.
	Kube kubernetes.Interface
	// NetNS is the node's host network namespace (see NetNSPath).
	NetNS string
	// LocalPodCIDRs are this node's Pod CIDRs: a peer's CIDR overlapping
	// them is not routed.
	LocalPodCIDRs []netip.Prefix
	// Protocol marks the routes the controller owns. Default RouteProtocol.
	Protocol int
	// Table is the routing table. Default the main table (254).
	Table int
	// ResyncPeriod is how often the routes are checked without a Node
	// change (someone may have deleted one). Default 30s.
	ResyncPeriod time.Duration
}

// Defaults fills zero values.
func (c *RouteControllerConfig) Defaults() {
	if c.Protocol == 0 {
		c.Protocol = RouteProtocol
	}
	if c.Table == 0 {
		c.Table = unix.RT_TABLE_MAIN
	}
	if c.ResyncPeriod == 0 {
		c.ResyncPeriod = defaultResyncPeriod
	}
}

// Validate reports every invalid field.
func (c *RouteControllerConfig) Validate() error {
	var errs []error
	if c.NodeName == "" {
		errs = append(errs, errors.New("nodenet: RouteControllerConfig.NodeName is required"))
	}
	if c.Kube == nil {
		errs = append(errs, errors.New("nodenet: RouteControllerConfig.Kube is required"))
	}
	// Protocols up to RTPROT_STATIC (4) belong to the kernel and iproute2.
	if c.Protocol <= unix.RTPROT_STATIC || c.Protocol > 255 {
		errs = append(errs, fmt.Errorf("nodenet: RouteControllerConfig.Protocol %d out of range 5..255", c.Protocol))
	}
	if c.Table < 1 || c.Table == unix.RT_TABLE_LOCAL {
		errs = append(errs, fmt.Errorf("nodenet: RouteControllerConfig.Table %d is not a usable table", c.Table))
	}
	if c.ResyncPeriod < 0 {
		errs = append(errs, fmt.Errorf("nodenet: RouteControllerConfig.ResyncPeriod is negative (%s)", c.ResyncPeriod))
	}
	return errors.Join(errs...)
}

// RouteController keeps, in the host namespace, one route per other Node:
// "<its Pod CIDR> via <its InternalIP>", tagged with Protocol. It watches
// Nodes and reconciles on every change of a Node's CIDRs or addresses, and
// every ResyncPeriod.
type RouteController struct {
	cfg    RouteControllerConfig
	synced atomic.Bool
}

// NewRouteController checks the configuration; Run does the work.
func NewRouteController(cfg RouteControllerConfig) (*RouteController, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.LocalPodCIDRs = slices.Clone(cfg.LocalPodCIDRs)
	return &RouteController{cfg: cfg}, nil
}

// HasSynced tells whether the routes have been reconciled once with the
// complete list of Nodes.
func (c *RouteController) HasSynced() bool { return c.synced.Load() }

// Run watches Nodes and reconciles the routes until ctx ends.
func (c *RouteController) Run(ctx context.Context) error {
	logger := klog.FromContext(ctx).WithName("routes")
	ctx = klog.NewContext(ctx, logger)
	factory := informers.NewSharedInformerFactory(c.cfg.Kube, 0)
	nodes := factory.Core().V1().Nodes()
	queue := workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
		workqueue.TypedRateLimitingQueueConfig[string]{Name: "strata-routes"})
	defer queue.ShutDown()
	if _, err := nodes.Informer().AddEventHandler(nodeHandler(queue)); err != nil {
		return fmt.Errorf("watching Nodes: %w", err)
	}
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), nodes.Informer().HasSynced) {
		return fmt.Errorf("waiting for the Node informer: %w", ctx.Err())
	}
	queue.Add(routesKey)
	go func() {
		<-ctx.Done()
		queue.ShutDown()
	}()
	logger.Info("Route controller started", "node", c.cfg.NodeName, "protocol", c.cfg.Protocol, "table", c.cfg.Table)
	for c.processNext(ctx, queue, nodes.Lister()) {
	}
	return nil
}

// processNext reconciles once per dequeued key; it returns false once the
// queue is shut down.
func (c *RouteController) processNext(ctx context.Context, queue workqueue.TypedRateLimitingInterface[string],
	lister corelisters.NodeLister) bool {
	key, quit := queue.Get()
	if quit {
		return false
	}
	defer queue.Done(key)
	if err := c.sync(ctx, lister); err != nil {
		klog.FromContext(ctx).Error(err, "Reconciling the routes to other nodes' Pods failed; retrying")
		queue.AddRateLimited(key)
		return true
	}
	queue.Forget(key)
	queue.AddAfter(key, c.cfg.ResyncPeriod)
	return true
}

// sync reconciles the routes with the Nodes in the lister.
func (c *RouteController) sync(ctx context.Context, lister corelisters.NodeLister) error {
	nodes, err := lister.List(labels.Everything())
	if err != nil {
		return fmt.Errorf("listing Nodes: %w", err)
	}
	want, skipped := desiredRoutes(nodes, c.cfg.NodeName, c.cfg.LocalPodCIDRs)
	for _, s := range skipped {
		klog.FromContext(ctx).V(2).Info("No route", "reason", s)
	}
	h, err := openHandle(NetNSPath(c.cfg.NetNS))
	if err != nil {
		return err
	}
	defer h.Close()
	t := routeTable{table: c.cfg.Table, protocol: netlink.RouteProtocol(c.cfg.Protocol)}
	if err := reconcileRoutes(ctx, h, t, want); err != nil {
		return err
	}
	c.synced.Store(true)
	return nil
}

// nodeHandler queues a reconcile when a Node appears, goes away or changes
// what its route depends on (not on every status heartbeat).
func nodeHandler(queue workqueue.TypedRateLimitingInterface[string]) cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { queue.Add(routesKey) },
		UpdateFunc: func(oldObj, newObj any) {
			o, ok1 := oldObj.(*corev1.Node)
			n, ok2 := newObj.(*corev1.Node)
			if !ok1 || !ok2 || routeInputsChanged(o, n) {
				queue.Add(routesKey)
			}
		},
		DeleteFunc: func(any) { queue.Add(routesKey) },
	}
}

func routeInputsChanged(o, n *corev1.Node) bool {
	return o.Spec.PodCIDR != n.Spec.PodCIDR || !slices.Equal(o.Spec.PodCIDRs, n.Spec.PodCIDRs) ||
		!slices.Equal(o.Status.Addresses, n.Status.Addresses)
}
