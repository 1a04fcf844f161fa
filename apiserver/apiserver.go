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

// Package apiserver is the composition root of strata-apiserver: it builds the
// storage of every served resource, installs the API groups and the post-start
// hooks, and nothing else. Options live in apiserver/options, admission plugins in
// apiserver/admission, REST storage in registry/.
package apiserver

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/uuid"
	genericapiserver "k8s.io/apiserver/pkg/server"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	npainformers "sigs.k8s.io/network-policy-api/pkg/client/informers/externalversions"

	"github.com/strata-net/strata/apis/crd/validation"
	"github.com/strata-net/strata/apiserver/features"
	"github.com/strata-net/strata/apiserver/leader"
	"github.com/strata-net/strata/apiserver/nodeauth"
	"github.com/strata-net/strata/apiserver/policy"
	"github.com/strata-net/strata/apiserver/reports"
	"github.com/strata-net/strata/apiserver/stats"
	"github.com/strata-net/strata/generated/clientset/versioned"
	informers "github.com/strata-net/strata/generated/informers/externalversions"
	cpregistry "github.com/strata-net/strata/registry/controlplane"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// shutdownTimeout bounds a graceful shutdown.
const shutdownTimeout = 5 * time.Second

// ExtraConfig holds strata-apiserver's own dependencies.
type ExtraConfig struct {
	// Informers are the informers of Strata's resources, over the loopback client;
	// the admission plugins read their listers. Started by a post-start hook.
	Informers informers.SharedInformerFactory
	// KubeInformers are the informers of kube-apiserver's resources (Pods,
	// Namespaces, Services, NetworkPolicies); nil in standalone mode, where there is
	// nothing to compute and the controlplane API serves empty lists.
	KubeInformers kubeinformers.SharedInformerFactory
	// KubeClientConfig is kube-apiserver's client configuration, through which the
	// status of upstream ClusterNetworkPolicies is written; nil in standalone mode.
	KubeClientConfig *rest.Config
	// UpstreamPolicyInformers are the informers of the upstream ClusterNetworkPolicies
	// (policy.networking.k8s.io, served by kube-apiserver from their CRD), over the
	// client of KubeInformers; nil in standalone mode and with the
	// ClusterNetworkPolicy feature gate off: they are then not watched.
	UpstreamPolicyInformers npainformers.SharedInformerFactory
	// AgentIdentities tell the node agents apart: the node authorizer confines each
	// to its own Node's slice of controlplane.antrea.io (apiserver/nodeauth).
	AgentIdentities nodeauth.Identities
	// FlowLimits bound the estimated flows per Node of one policy: admission warns
	// above the threshold and refuses above the limit.
	FlowLimits validation.FlowLimits
	// LeaderElection, when set, elects the one replica that writes policy status
	// through a coordination.k8s.io Lease (apiserver/leader); its Client and
	// OnElected are filled by New. Nil: this replica always writes (one replica).
	LeaderElection *leader.Config
	// SharedReports, when set, keeps the agents' realization reports in strata's
	// etcd for every replica (apiserver/reports); nil: in this replica's memory.
	SharedReports *reports.EtcdConfig
}

// Config is the configuration of strata-apiserver.
type Config struct {
	GenericConfig *genericapiserver.RecommendedConfig
	ExtraConfig   ExtraConfig
}

type completedConfig struct {
	GenericConfig genericapiserver.CompletedConfig
	ExtraConfig   *ExtraConfig
}

// CompletedConfig embeds a private pointer that cannot be instantiated outside of
// this package: callers go through Complete.
type CompletedConfig struct {
	*completedConfig
}

// Server is a strata-apiserver.
type Server struct {
	GenericAPIServer *genericapiserver.GenericAPIServer
}

// Complete fills in the fields not set by the options.
func (c *Config) Complete() CompletedConfig {
	return CompletedConfig{&completedConfig{GenericConfig: c.GenericConfig.Complete(), ExtraConfig: &c.ExtraConfig}}
}

// New returns a server with every API group installed, ready to PrepareRun.
func (c CompletedConfig) New() (*Server, error) {
	// The stores number their resourceVersions from scratch in every process: the
	// epoch tells the agents' acknowledgements of another process apart.
	epoch := string(uuid.NewUUID())
	stores, err := cpregistry.NewStores(store.Options{Epoch: epoch})
	if err != nil {
		return nil, err
	}
	if err := c.addNodeAuthorizer(stores); err != nil {
		stores.Stop()
		return nil, err
	}
	gs, err := c.GenericConfig.New("strata-apiserver", genericapiserver.NewEmptyDelegate())
	if err != nil {
		stores.Stop()
		return nil, fmt.Errorf("creating the generic API server: %w", err)
	}
	// Long-running watches (controller managers, agents) must not hold a shutdown
	// for the default minute: they re-watch the restarted server or another replica.
	gs.ShutdownTimeout = shutdownTimeout
	if err := installPolicyGroups(gs, c.GenericConfig.RESTOptionsGetter, c.ExtraConfig.FlowLimits); err != nil {
		return nil, err
	}
	gs.AddPreShutdownHookOrDie("strata-controlplane-stores", func() error { stores.Stop(); return nil })
	registerMetrics(stores)
	client, err := versioned.NewForConfig(c.GenericConfig.LoopbackClientConfig)
	if err != nil {
		return nil, fmt.Errorf("creating the loopback client: %w", err)
	}
	statuses, err := newStatusClients(client, c.ExtraConfig.KubeClientConfig)
	if err != nil {
		return nil, err
	}
	aggregator := policy.NewStatusAggregator(statuses)
	elector, err := c.statusElector(aggregator)
	if err != nil {
		return nil, err
	}
	if err := c.addPostStartHooks(gs); err != nil {
		return nil, err
	}
	computation, err := c.addComputation(gs, storeSink{stores: stores, aggregator: aggregator}, statusWriter{aggregator, elector})
	if err != nil {
		return nil, err
	}
	if computation != nil {
		if err := c.shareReports(gs, aggregator); err != nil {
			return nil, err
		}
	}
	gate := computationGate(computation)
	if err := gs.AddReadyzChecks(readyzChecks(gate, computation)...); err != nil {
		return nil, fmt.Errorf("adding the readiness checks of the policy computation: %w", err)
	}
	trafficStats := stats.NewAggregator(computedPolicies{stores})
	storage := cpregistry.StorageConfig{Stores: stores, Status: aggregator, Gate: gate, Stats: trafficStats}
	if computation != nil {
		barrier, tracker, err := podStartupBarrier(computation, stores, epoch)
		if err != nil {
			return nil, err
		}
		storage.Startups, storage.Syncs = barrier, tracker
		if storage.Gate, err = c.shareStartups(gs, gate, barrier, tracker, stores, computation); err != nil {
			return nil, err
		}
		if err := addExplain(&storage, computation, stores); err != nil {
			return nil, err
		}
	}
	if err := installControlplane(gs, storage); err != nil {
		return nil, err
	}
	info := &infoSource{stores: stores}
	if computation != nil {
		info.computation = computation
	}
	if err := installSystem(gs, info, aggregator); err != nil {
		return nil, err
	}
	if err := installStats(gs, trafficStats); err != nil {
		return nil, err
	}
	return &Server{GenericAPIServer: gs}, nil
}

// addComputation starts the policy computation and the status aggregation once the
// server runs. Without kube-apiserver (standalone) there are no Pods to compute
// from, the controlplane API stays empty, and the returned controller is nil.
func (c CompletedConfig) addComputation(gs *genericapiserver.GenericAPIServer, sink policy.Sink, status statusWriter) (*policy.Controller, error) {
	kube, crd := c.ExtraConfig.KubeInformers, c.ExtraConfig.Informers
	if kube == nil || crd == nil {
		klog.InfoS("No kube-apiserver informers: the policy computation does not run")
		return nil, nil
	}
	upstream := c.ExtraConfig.UpstreamPolicyInformers
	saved, err := c.startingPodStore(gs)
	if err != nil {
		return nil, err
	}
	controller, err := policy.NewController(policy.Config{CRDInformers: crd, KubeInformers: kube, Sink: sink,
		UpstreamInformers: upstream, AntreaPolicyDisabled: !features.Enabled(features.AntreaPolicy), ReportedAddresses: saved})
	if err != nil {
		return nil, err
	}
	return controller, gs.AddPostStartHook("strata-policy-computation", func(ctx genericapiserver.PostStartHookContext) error {
		kube.Start(ctx.Done())
		crd.Start(ctx.Done())
		if upstream != nil {
			upstream.Start(ctx.Done())
		}
		go controller.Run(ctx)
		status.run(ctx)
		return nil
	})
}

func (c CompletedConfig) addPostStartHooks(gs *genericapiserver.GenericAPIServer) error {
	informers := c.ExtraConfig.Informers
	if err := gs.AddPostStartHook("start-strata-informers", func(ctx genericapiserver.PostStartHookContext) error {
		if informers != nil {
			informers.Start(ctx.Done())
		}
		return nil
	}); err != nil {
		return fmt.Errorf("adding the informers hook: %w", err)
	}
	loopback := c.GenericConfig.LoopbackClientConfig
	return gs.AddPostStartHook("strata-system-tiers", func(ctx genericapiserver.PostStartHookContext) error {
		return ensureSystemTiers(ctx, loopback)
	})
}
