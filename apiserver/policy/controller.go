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

package policy

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"net"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	npainformers "sigs.k8s.io/network-policy-api/pkg/client/informers/externalversions"
	npalisters "sigs.k8s.io/network-policy-api/pkg/client/listers/apis/v1beta1"

	crdinformers "github.com/strata-net/strata/generated/informers/externalversions"
)

// Config configures the policy controller.
type Config struct {
	// CRDInformers are the informers of Strata's resources (the loopback client).
	CRDInformers crdinformers.SharedInformerFactory
	// KubeInformers are the informers of Pods, Namespaces, Services, Nodes and
	// NetworkPolicies (kube-apiserver). The computation's Pods come from an informer
	// of its own (podInformer) that keeps them compact.
	KubeInformers kubeinformers.SharedInformerFactory
	// UpstreamInformers are the informers of the upstream ClusterNetworkPolicies
	// (policy.networking.k8s.io, kube-apiserver). nil (the ClusterNetworkPolicy
	// feature gate off, or no such CRD) does not watch them: none is computed.
	UpstreamInformers npainformers.SharedInformerFactory
	// Sink receives the computed objects.
	Sink Sink
	// AntreaPolicyDisabled (the AntreaPolicy feature gate off) computes Kubernetes
	// NetworkPolicies only: Tiers, ClusterNetworkPolicies and ClusterGroups are not
	// watched and have no effect.
	AntreaPolicyDisabled bool
	// ReportedAddresses keeps the addresses reported for starting Pods across
	// restarts; nil keeps them in this process only.
	ReportedAddresses ReportedAddressStore
}

// Controller feeds the computation from informers and runs its passes.
type Controller struct {
	compiler *Compiler
	ready    readiness
	pods     cache.Store // the computation's Pod informer (cachedPod)
	podMu    sync.Mutex  // reading the reports and upserting a Pod, together
	reported reportedAddresses
	persist  ReportedAddressStore // nil: the reports are in memory only
	passes   *passes
}

// NewController registers the informer handlers. Start the informer factories, then
// Run.
func NewController(cfg Config) (*Controller, error) {
	if cfg.CRDInformers == nil || cfg.KubeInformers == nil || cfg.Sink == nil {
		return nil, errors.New("policy controller: CRDInformers, KubeInformers and Sink are required")
	}
	crd, kube := cfg.CRDInformers.Crd().V1beta1(), cfg.KubeInformers
	sources := listerSources{
		k8snps: kube.Networking().V1().NetworkPolicies().Lister(), services: kube.Core().V1().Services().Lister(),
	}
	if cfg.AntreaPolicyDisabled {
		emptyAntreaListers(&sources)
	} else {
		antreaListers(&sources, crd)
	}
	var upstream cache.SharedIndexInformer
	if cfg.UpstreamInformers != nil {
		upstream = cfg.UpstreamInformers.Policy().V1beta1().ClusterNetworkPolicies().Informer()
		sources.cnps = npalisters.NewClusterNetworkPolicyLister(upstream.GetIndexer())
	} else {
		emptyUpstreamListers(&sources)
	}
	c := &Controller{compiler: NewCompiler(cfg.Sink, sources), passes: newPasses(), persist: cfg.ReportedAddresses}
	pods, err := podInformer(kube)
	if err != nil {
		return nil, fmt.Errorf("policy controller: setting the Pod transform: %w", err)
	}
	c.pods = pods.GetStore()
	feeds := []feedInformer{
		{"pods", pods, c.podHandler()},
		{"namespaces", kube.Core().V1().Namespaces().Informer(), c.namespaceHandler()},
		{"services", kube.Core().V1().Services().Informer(), c.serviceHandler()},
		{"networkpolicies.networking.k8s.io", kube.Networking().V1().NetworkPolicies().Informer(), c.k8sPolicyHandler()},
		{"nodes", kube.Core().V1().Nodes().Informer(), c.nodeHandler()},
	}
	if !cfg.AntreaPolicyDisabled {
		feeds = append(feeds,
			feedInformer{"clusternetworkpolicies.crd.antrea.io", crd.ClusterNetworkPolicies().Informer(), c.acnpHandler()},
			feedInformer{"tiers.crd.antrea.io", crd.Tiers().Informer(), c.tierHandler()},
			feedInformer{"clustergroups.crd.antrea.io", crd.ClusterGroups().Informer(), c.clusterGroupHandler()},
			feedInformer{"networkpolicies.crd.antrea.io", crd.NetworkPolicies().Informer(), c.annpHandler()},
			feedInformer{"groups.crd.antrea.io", crd.Groups().Informer(), c.groupHandler()})
	}
	if upstream != nil {
		feeds = append(feeds, feedInformer{"clusternetworkpolicies.policy.networking.k8s.io", upstream, c.upstreamCNPHandler()})
	}
	for _, f := range feeds {
		reg, err := f.informer.AddEventHandler(f.handler)
		if err != nil {
			return nil, fmt.Errorf("policy controller: adding the %s handler: %w", f.resource, err)
		}
		c.ready.track(f.resource, f.informer, reg.HasSynced)
	}
	return c, nil
}

// feedInformer is an informer the computation is fed from, with its handler.
type feedInformer struct {
	resource string
	informer cache.SharedIndexInformer
	handler  cache.ResourceEventHandler
}

// Compiler exposes the computation (status aggregation reads spans from it).
func (c *Controller) Compiler() *Compiler { return c.compiler }

// Run waits for the informers to sync, then processes changes until ctx ends.
func (c *Controller) Run(ctx context.Context) {
	logger := klog.FromContext(ctx)
	if !cache.WaitForCacheSync(ctx.Done(), c.ready.syncedFuncs()...) {
		logger.Info("Policy controller stopped before its caches synced")
		return
	}
	start := time.Now()
	if c.persist != nil {
		if err := c.loadReported(ctx); err != nil {
			logger.Info("Policy controller stopped before its first pass", "err", err)
			return
		}
	}
	c.process()
	c.ready.published.Store(true)
	logger.Info("Policy computation synced: its complete state is published", "duration", time.Since(start))
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.compiler.wake:
			c.process()
		}
	}
}

// process runs one pass and records it for the callers waiting for one.
func (c *Controller) process() {
	n := c.passes.requested.Load()
	c.compiler.Process()
	c.passes.completed(n)
}

// Ready returns nil once the first complete state has been published: every
// informer synced and the first pass over all of it handed to the Sink. Until then
// the error names what the computation waits for. strata-apiserver serves the
// controlplane API and reports ready only from then on.
func (c *Controller) Ready() error { return c.ready.Ready() }

// Resources are the resources the computation is fed from.
func (c *Controller) Resources() []string { return c.ready.Resources() }

// InformerReady returns nil once the informer of resource has synced; before, an
// error with its last list or watch error.
func (c *Controller) InformerReady(resource string) error { return c.ready.InformerReady(resource) }

// HasSynced tells whether the informers synced and no work is pending.
func (c *Controller) HasSynced() bool {
	return c.InformersSynced() && !c.compiler.Pending()
}

// InformersSynced tells whether every informer delivered its initial list.
func (c *Controller) InformersSynced() bool {
	for _, s := range c.ready.syncedFuncs() {
		if !s() {
			return false
		}
	}
	return true
}

// objectUID returns the UID of an informer object or of a deletion's tombstone.
func objectUID(obj interface{}) types.UID {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	if m, err := meta.Accessor(obj); err == nil {
		return m.GetUID()
	}
	return ""
}

// objectMeta returns the namespace and name of an informer object, including the
// tombstones of deletions.
func objectMeta(obj interface{}) (string, string, bool) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		return "", "", false
	}
	return m.GetNamespace(), m.GetName(), true
}

func (c *Controller) podHandler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj interface{}) { c.upsertPod(obj) },
		UpdateFunc: func(_, obj interface{}) { c.upsertPod(obj) },
		DeleteFunc: func(obj interface{}) {
			if ns, name, ok := objectMeta(obj); ok {
				c.podMu.Lock()
				defer c.podMu.Unlock()
				if c.reported.forget(ns, name, objectUID(obj)) {
					c.forgetSaved(ns, name, objectUID(obj))
				}
				c.compiler.DeletePod(ns, name)
			}
		},
	}
}

func (c *Controller) upsertPod(obj interface{}) {
	if p, ok := obj.(*cachedPod); ok {
		c.podMu.Lock()
		defer c.podMu.Unlock()
		c.compiler.UpsertPod(c.reported.apply(p.pod))
	}
}

func (c *Controller) namespaceHandler() cache.ResourceEventHandler {
	upsert := func(obj interface{}) {
		if ns, ok := obj.(*corev1.Namespace); ok {
			c.compiler.UpsertNamespace(ns.Name, ns.Labels)
			c.compiler.SetNamespaceLogging(ns.Name, NamespaceLogging(ns.Annotations))
		}
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    upsert,
		UpdateFunc: func(_, obj interface{}) { upsert(obj) },
		DeleteFunc: func(obj interface{}) {
			if _, name, ok := objectMeta(obj); ok {
				c.compiler.DeleteNamespace(name)
			}
		},
	}
}

// nameHandler calls changed with the namespace and name of every added, updated or
// deleted object.
func nameHandler(changed func(namespace, name string)) cache.ResourceEventHandler {
	handle := func(obj interface{}) {
		if ns, name, ok := objectMeta(obj); ok {
			changed(ns, name)
		}
	}
	return cache.ResourceEventHandlerFuncs{AddFunc: handle, UpdateFunc: func(_, obj interface{}) { handle(obj) }, DeleteFunc: handle}
}

func (c *Controller) serviceHandler() cache.ResourceEventHandler {
	return nameHandler(c.compiler.ServiceChanged)
}

func (c *Controller) k8sPolicyHandler() cache.ResourceEventHandler {
	return nameHandler(c.compiler.K8sNetworkPolicyChanged)
}

func (c *Controller) acnpHandler() cache.ResourceEventHandler {
	return nameHandler(func(_, name string) { c.compiler.ClusterNetworkPolicyChanged(name) })
}

func (c *Controller) upstreamCNPHandler() cache.ResourceEventHandler {
	return nameHandler(func(_, name string) { c.compiler.UpstreamClusterNetworkPolicyChanged(name) })
}

func (c *Controller) tierHandler() cache.ResourceEventHandler {
	return nameHandler(func(_, name string) { c.compiler.TierChanged(name) })
}

func (c *Controller) clusterGroupHandler() cache.ResourceEventHandler {
	return nameHandler(func(_, name string) { c.compiler.ClusterGroupChanged(name) })
}

func (c *Controller) annpHandler() cache.ResourceEventHandler {
	return nameHandler(c.compiler.AntreaNetworkPolicyChanged)
}

func (c *Controller) groupHandler() cache.ResourceEventHandler {
	return nameHandler(c.compiler.GroupChanged)
}

// nodeHandler feeds the Nodes' labels and addresses; the frequent status updates
// that change neither are not passed on.
func (c *Controller) nodeHandler() cache.ResourceEventHandler {
	upsert := func(n *corev1.Node) { c.compiler.UpsertNode(n.Name, n.Labels, NodeAddresses(n)) }
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) {
			if n, ok := obj.(*corev1.Node); ok {
				upsert(n)
			}
		},
		UpdateFunc: func(oldObj, obj interface{}) {
			old, ok1 := oldObj.(*corev1.Node)
			n, ok2 := obj.(*corev1.Node)
			if ok1 && ok2 && (!labels.Equals(old.Labels, n.Labels) || !ipsEqual(NodeAddresses(old), NodeAddresses(n))) {
				upsert(n)
			}
		},
		DeleteFunc: func(obj interface{}) {
			if _, name, ok := objectMeta(obj); ok {
				c.compiler.DeleteNode(name)
			}
		},
	}
}

func ipsEqual(a, b []net.IP) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}
