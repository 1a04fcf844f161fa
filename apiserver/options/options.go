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

// Package options holds strata-apiserver's command-line options and turns them into
// a server configuration: Options → Complete → Validate → Config.
package options

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"

	"github.com/strata-net/strata/apis/crd"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/crd/validation"
	"github.com/strata-net/strata/apis/scheme"
	"github.com/strata-net/strata/apis/security"
	strataadmission "github.com/strata-net/strata/apiserver/admission"
	embeddedetcd "github.com/strata-net/strata/apiserver/etcd"
	"github.com/strata-net/strata/apiserver/leader"
	"github.com/strata-net/strata/apiserver/nodeauth"
	// Strata's feature gates must be known before --feature-gates is parsed.
	_ "github.com/strata-net/strata/apiserver/features"
)

// EtcdPathPrefix is the prefix of every key strata-apiserver writes to etcd.
const EtcdPathPrefix = "/registry/strata"

// Options are strata-apiserver's options.
type Options struct {
	// Recommended are the generic API server options (etcd, serving, delegated
	// authentication and authorization, admission, audit, features).
	Recommended *genericoptions.RecommendedOptions
	// Logs configures klog.
	Logs *logs.Options
	// DataDir holds the embedded etcd's data, and in standalone mode the PKI.
	DataDir string
	// EmbeddedEtcdListen is where the embedded etcd listens for clients.
	EmbeddedEtcdListen string
	// Standalone serves without any kube-apiserver: a private CA, a self-signed
	// serving certificate and an admin client certificate; only the admin is allowed.
	Standalone bool
	// WriteKubeconfig, in standalone mode, is where to write the admin kubeconfig.
	WriteKubeconfig string
	// AlternateHosts are extra names and IPs of the serving certificate.
	AlternateHosts []string
	// ConfigFile is the configuration file (--config); see ConfigFile.
	ConfigFile string
	// FeatureGates are the gates set by --feature-gates.
	FeatureGates map[string]bool
	// AgentServiceAccounts are the node agents' ServiceAccounts (namespace/name):
	// their tokens bound to a Pod name its Node (apiserver/nodeauth).
	AgentServiceAccounts []string
	// FlowLimits bound the estimated flows per Node of one policy.
	FlowLimits validation.FlowLimits
	// LeaderElect elects the one replica that writes policy status through the
	// Lease LeaderElection names (not with --standalone: one server, no Lease).
	LeaderElect bool
	// LeaderElection are the Lease's namespace, name and durations.
	LeaderElection leader.Config
	// SharedReports keeps the agents' realization reports in strata's etcd, where
	// every replica reads them (apiserver/reports); not with --standalone.
	SharedReports bool
	// SARClient bounds the delegated authorizer's SubjectAccessReviews.
	SARClient SARClient

	// standaloneDelegation: --authentication-kubeconfig or --authorization-kubeconfig
	// was given with --standalone, which delegates nothing.
	standaloneDelegation bool
	// standaloneAllowPaths are the paths the standalone server serves to anyone.
	standaloneAllowPaths []string
}

// NewOptions returns the default options.
func NewOptions() *Options {
	ro := genericoptions.NewRecommendedOptions(EtcdPathPrefix, scheme.Codecs.LegacyCodec(crdv1beta1.SchemeGroupVersion))
	// Objects of the legacy group are stored as crd.antrea.io/v1beta1 too: one storage.
	ro.Etcd.StorageConfig.EncodeVersioner = runtime.NewMultiGroupVersioner(crdv1beta1.SchemeGroupVersion,
		schema.GroupKind{Group: crd.GroupName}, schema.GroupKind{Group: security.GroupName})
	ro.Etcd.DefaultStorageMediaType = runtime.ContentTypeJSON
	ro.SecureServing.BindPort = 10349
	ro.Authorization.AllowCacheTTL = defaultAllowCacheTTL
	ro.Authorization.DenyCacheTTL = defaultDenyCacheTTL
	var sar SARClient
	sar.Defaults()
	strataadmission.Register(ro.Admission.Plugins)
	ro.Admission.RecommendedPluginOrder = pluginOrder(ro.Admission.RecommendedPluginOrder)
	return &Options{
		Recommended:          ro,
		Logs:                 logs.NewOptions(),
		DataDir:              "/var/lib/strata-apiserver",
		EmbeddedEtcdListen:   "127.0.0.1:0",
		AlternateHosts:       []string{"strata-apiserver.kube-system.svc"},
		AgentServiceAccounts: []string{nodeauth.DefaultAgentServiceAccount},
		FlowLimits:           validation.FlowLimits{Warning: validation.DefaultFlowWarning, Limit: validation.DefaultFlowLimit},
		LeaderElect:          true,
		LeaderElection:       leaderDefaults(),
		SharedReports:        true,
		SARClient:            sar,
	}
}

// pluginOrder puts Strata's mutating plugin before the generic mutating plugins and
// its validating plugins before the generic validating ones.
func pluginOrder(generic []string) []string {
	var order []string
	for _, name := range generic {
		switch name {
		case "MutatingAdmissionPolicy":
			order = append(order, strataadmission.PolicyDefaultsName)
		case "ValidatingAdmissionPolicy":
			order = append(order, strataadmission.TiersName, strataadmission.PolicyTierName,
				strataadmission.ClusterGroupsName, strataadmission.GroupsName)
		}
		order = append(order, name)
	}
	return order
}

// Flags returns the flags in named sections.
func (o *Options) Flags() cliflag.NamedFlagSets {
	var fss cliflag.NamedFlagSets
	o.addStrataFlags(fss.FlagSet("strata"))
	ro := o.Recommended
	ro.Etcd.AddFlags(fss.FlagSet("etcd"))
	ro.SecureServing.AddFlags(fss.FlagSet("secure serving"))
	ro.Authentication.AddFlags(fss.FlagSet("authentication"))
	ro.Authorization.AddFlags(fss.FlagSet("authorization"))
	addSARClientFlags(fss.FlagSet("authorization"), &o.SARClient)
	ro.Admission.AddFlags(fss.FlagSet("admission"))
	ro.Audit.AddFlags(fss.FlagSet("auditing"))
	ro.Features.AddFlags(fss.FlagSet("features"))
	fss.FlagSet("features").Var(cliflag.NewMapStringBool(&o.FeatureGates), "feature-gates", featureGatesUsage())
	ro.CoreAPI.AddFlags(fss.FlagSet("core api"))
	ro.EgressSelector.AddFlags(fss.FlagSet("egress selector"))
	ro.Traces.AddFlags(fss.FlagSet("traces"))
	logsapi.AddFlags(o.Logs, fss.FlagSet("logs"))
	return fss
}

func (o *Options) addStrataFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.DataDir, "data-dir", o.DataDir,
		"Directory of the embedded etcd's data (used when --etcd-servers is not set) and, with --standalone, of the generated certificates.")
	fs.StringVar(&o.EmbeddedEtcdListen, "embedded-etcd-listen", o.EmbeddedEtcdListen,
		"host:port the embedded etcd serves clients on (port 0 picks a free port); loopback only (127.0.0.1, ::1, localhost): the embedded etcd has no TLS client authentication.")
	fs.BoolVar(&o.Standalone, "standalone", o.Standalone,
		"Serve without a kube-apiserver: generate a private CA, a serving certificate and an admin client certificate under --data-dir; only that admin may use the API.")
	fs.StringVar(&o.WriteKubeconfig, "write-kubeconfig", o.WriteKubeconfig,
		"With --standalone: write a kubeconfig for the admin identity to this file once the server listens.")
	fs.StringSliceVar(&o.AlternateHosts, "alternate-hosts", o.AlternateHosts,
		"Extra DNS names and IPs of a generated serving certificate.")
	fs.StringSliceVar(&o.AgentServiceAccounts, "agent-service-accounts", o.AgentServiceAccounts,
		"The node agents' ServiceAccounts (namespace/name). A token of one of them bound to a Pod (it names the Pod's Node) is the agent of that Node, confined to its Node's slice of controlplane.antrea.io; so is a client certificate of user system:strata-agent:<node> in group system:strata-agents.")
	fs.IntVar(&o.FlowLimits.Warning, "policy-flow-warning", o.FlowLimits.Warning,
		"Admission warns about a policy whose estimated flows per Node (docs/least-privilege.md) exceed this.")
	fs.IntVar(&o.FlowLimits.Limit, "policy-flow-limit", o.FlowLimits.Limit,
		"Admission refuses a policy whose estimated flows per Node exceed this.")
	addLeaderFlags(fs, &o.LeaderElect, &o.LeaderElection)
	addSharedReportsFlag(fs, &o.SharedReports)
	fs.StringVar(&o.ConfigFile, "config", o.ConfigFile,
		"Configuration file (YAML: featureGates); in a cluster, the key strata-apiserver.conf of the ConfigMap kube-system/strata-config.")
}

// EmbeddedEtcd tells whether the server runs its own etcd (no --etcd-servers).
func (o *Options) EmbeddedEtcd() bool {
	return len(o.Recommended.Etcd.StorageConfig.Transport.ServerList) == 0
}

// Complete fills what the flags imply.
func (o *Options) Complete() error {
	if o.Standalone {
		o.completeStandalone()
	}
	return o.applyFeatureGates()
}

// Validate reports every invalid option, naming the flag.
func (o *Options) Validate() error {
	var errs []error
	ro := *o.Recommended
	if o.EmbeddedEtcd() {
		// The embedded etcd's URL is known once it runs; validate the rest now.
		etcd := *ro.Etcd
		etcd.StorageConfig.Transport.ServerList = []string{"http://embedded-etcd"}
		ro.Etcd = &etcd
		if o.DataDir == "" {
			errs = append(errs, errors.New("--data-dir: required for the embedded etcd (or set --etcd-servers)"))
		}
		if err := embeddedetcd.CheckLoopback(o.EmbeddedEtcdListen); err != nil {
			errs = append(errs, fmt.Errorf("--embedded-etcd-listen: %w", err))
		}
	}
	errs = append(errs, ro.Validate()...)
	if o.WriteKubeconfig != "" && !o.Standalone {
		errs = append(errs, errors.New("--write-kubeconfig: only with --standalone (behind kube-apiserver, use kube-apiserver's kubeconfig)"))
	}
	if err := o.agentIdentities().Validate(); err != nil {
		errs = append(errs, fmt.Errorf("--agent-service-accounts: %w", err))
	}
	if err := o.FlowLimits.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("--policy-flow-warning, --policy-flow-limit: %w", err))
	}
	if o.standaloneDelegation {
		errs = append(errs, errors.New("--authentication-kubeconfig, --authorization-kubeconfig: not with --standalone, which authenticates only its own client certificates and authorizes only its admin"))
	}
	errs = append(errs, o.validateLeaderElection()...)
	errs = append(errs, o.validateAuthorizationCache()...)
	if o.Standalone && o.DataDir == "" {
		errs = append(errs, errors.New("--data-dir: required with --standalone, for the generated certificates"))
	}
	return utilerrors.NewAggregate(errs)
}

// agentIdentities are the identities of the node agents.
func (o *Options) agentIdentities() nodeauth.Identities {
	return nodeauth.Identities{ServiceAccounts: append([]string{}, o.AgentServiceAccounts...)}
}

// pkiDir is where standalone mode keeps its certificates.
func (o *Options) pkiDir() string { return filepath.Join(o.DataDir, "pki") }

// etcdDir is where the embedded etcd keeps its data.
func (o *Options) etcdDir() string { return filepath.Join(o.DataDir, "etcd") }
