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

package options

import (
	"context"
	"fmt"
	"net"

	"k8s.io/apiserver/pkg/admission"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/util/compatibility"
	netutils "k8s.io/utils/net"
	npaversioned "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"
	npainformers "sigs.k8s.io/network-policy-api/pkg/client/informers/externalversions"

	"github.com/strata-net/strata/apis/scheme"
	"github.com/strata-net/strata/apis/version"
	"github.com/strata-net/strata/apiserver"
	strataadmission "github.com/strata-net/strata/apiserver/admission"
	"github.com/strata-net/strata/apiserver/etcd"
	"github.com/strata-net/strata/apiserver/features"
	"github.com/strata-net/strata/apiserver/nodeauth"
	"github.com/strata-net/strata/generated/clientset/versioned"
	informers "github.com/strata-net/strata/generated/informers/externalversions"
	"github.com/strata-net/strata/generated/openapi"
)

// Config starts the embedded etcd when there is no external one, and builds the
// server configuration. The returned cleanup stops what Config started.
func (o *Options) Config(ctx context.Context) (*apiserver.Config, func(), error) {
	cleanup := func() {}
	if o.EmbeddedEtcd() {
		e, err := etcd.Start(ctx, etcd.Config{DataDir: o.etcdDir(), ListenClient: o.EmbeddedEtcdListen})
		if err != nil {
			return nil, nil, err
		}
		o.Recommended.Etcd.StorageConfig.Transport.ServerList = []string{e.ClientURL()}
		cleanup = e.Close
	}
	cfg, err := o.genericConfig()
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return cfg, cleanup, nil
}

func (o *Options) genericConfig() (*apiserver.Config, error) {
	if o.Standalone {
		if err := o.preparePKI(); err != nil {
			return nil, err
		}
	}
	ips := []net.IP{netutils.ParseIPSloppy("127.0.0.1")}
	if err := o.Recommended.SecureServing.MaybeDefaultWithSelfSignedCerts("localhost", o.AlternateHosts, ips); err != nil {
		return nil, fmt.Errorf("creating a self-signed serving certificate: %w", err)
	}
	var factory informers.SharedInformerFactory
	o.Recommended.ExtraAdmissionInitializers = func(c *genericapiserver.RecommendedConfig) ([]admission.PluginInitializer, error) {
		client, err := versioned.NewForConfig(c.LoopbackClientConfig)
		if err != nil {
			return nil, fmt.Errorf("creating the loopback client: %w", err)
		}
		factory = informers.NewSharedInformerFactory(client, 0)
		return []admission.PluginInitializer{strataadmission.Initializer{Informers: factory}}, nil
	}
	cfg := genericapiserver.NewRecommendedConfig(scheme.Codecs)
	cfg.BuildHandlerChainFunc = apiserver.BuildHandlerChain
	cfg.EffectiveVersion = compatibility.DefaultBuildEffectiveVersion()
	cfg.EquivalentResourceRegistry = equivalentResources()
	o.setOpenAPI(cfg)
	if err := o.Recommended.ApplyTo(cfg); err != nil {
		return nil, fmt.Errorf("applying the options: %w", err)
	}
	if o.Standalone {
		if err := o.applyStandaloneAuth(cfg); err != nil {
			return nil, err
		}
		if err := standaloneAdmission(cfg, factory); err != nil {
			return nil, err
		}
		if err := o.writeKubeconfig(cfg); err != nil {
			return nil, err
		}
	} else {
		o.waitForAuthnCAs(cfg)
		if err := o.applySARClient(cfg); err != nil {
			return nil, err
		}
	}
	// The check of the agents' reports runs after every other admission step, and
	// no --disable-admission-plugins removes it.
	ids := o.agentIdentities()
	cfg.AdmissionControl = chainNodeAdmission(cfg.AdmissionControl, nodeauth.NewAdmission(ids))
	upstream, err := upstreamPolicyInformers(cfg)
	if err != nil {
		return nil, err
	}
	return &apiserver.Config{
		GenericConfig: cfg,
		ExtraConfig: apiserver.ExtraConfig{Informers: factory, KubeInformers: cfg.SharedInformerFactory,
			KubeClientConfig: cfg.ClientConfig, UpstreamPolicyInformers: upstream, AgentIdentities: ids,
			FlowLimits: o.FlowLimits, LeaderElection: o.leaderElection(), SharedReports: o.sharedReports()},
	}, nil
}

// upstreamPolicyInformers builds the informers of the upstream ClusterNetworkPolicies
// over kube-apiserver's client configuration (the one of the kube informers); nil
// without kube-apiserver (standalone) or with the ClusterNetworkPolicy gate off.
func upstreamPolicyInformers(cfg *genericapiserver.RecommendedConfig) (npainformers.SharedInformerFactory, error) {
	if cfg.ClientConfig == nil || cfg.SharedInformerFactory == nil || !features.Enabled(features.ClusterNetworkPolicy) {
		return nil, nil
	}
	client, err := npaversioned.NewForConfig(cfg.ClientConfig)
	if err != nil {
		return nil, fmt.Errorf("creating the client of policy.networking.k8s.io: %w", err)
	}
	return npainformers.NewSharedInformerFactory(client, 0), nil
}

func (o *Options) setOpenAPI(cfg *genericapiserver.RecommendedConfig) {
	namer := openapinamer.NewDefinitionNamer(scheme.Scheme)
	cfg.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(openapi.GetOpenAPIDefinitions, namer)
	cfg.OpenAPIConfig.Info.Title = "Strata"
	cfg.OpenAPIConfig.Info.Version = version.Get().GitVersion
	cfg.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(openapi.GetOpenAPIDefinitions, namer)
	cfg.OpenAPIV3Config.Info.Title = "Strata"
	cfg.OpenAPIV3Config.Info.Version = version.Get().GitVersion
}

// chainNodeAdmission appends the agents' report check to the admission chain.
func chainNodeAdmission(chain admission.Interface, nodes *nodeauth.Admission) admission.Interface {
	if chain == nil {
		return nodes
	}
	return admission.NewChainHandler(chain, nodes)
}
