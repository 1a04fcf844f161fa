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
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	"k8s.io/apiserver/pkg/authorization/path"
	"k8s.io/apiserver/pkg/authorization/union"
	genericapiserver "k8s.io/apiserver/pkg/server"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// SARClient configures the client of the delegated authorizer's
// SubjectAccessReviews. Every agent request is authorized by one (apiserver/nodeauth
// only narrows an agent to its Node; RBAC decides): k8s.io/apiserver's fixed
// 200 QPS / 400 burst queued the SARs of a reconnect storm (3 watches and a
// report per agent) until they timed out.
type SARClient struct {
	// QPS and Burst bound the SubjectAccessReviews sent to kube-apiserver.
	QPS   float32
	Burst int
}

// Defaults: the watches of some 500 agents reconnecting at once fit in one burst;
// kube-apiserver's priority and fairness queues the rest.
func (c *SARClient) Defaults() {
	c.QPS = 500
	c.Burst = 2000
}

// Validate names the flag of an invalid field.
func (c SARClient) Validate() []error {
	var errs []error
	if c.QPS <= 0 {
		errs = append(errs, fmt.Errorf("--authorization-webhook-qps: %v, must be positive", c.QPS))
	}
	if c.Burst < 1 {
		errs = append(errs, fmt.Errorf("--authorization-webhook-burst: %d, must be at least 1", c.Burst))
	} else if float32(c.Burst) < c.QPS {
		errs = append(errs, fmt.Errorf("--authorization-webhook-burst: %d, must be at least --authorization-webhook-qps (%v)", c.Burst, c.QPS))
	}
	return errs
}

func addSARClientFlags(fs *pflag.FlagSet, c *SARClient) {
	fs.Float32Var(&c.QPS, "authorization-webhook-qps", c.QPS,
		"SubjectAccessReviews per second the delegated authorizer may send to kube-apiserver (each agent request not in the authorization cache is one).")
	fs.IntVar(&c.Burst, "authorization-webhook-burst", c.Burst,
		"Burst of SubjectAccessReviews above --authorization-webhook-qps (the agents reconnecting after a restart); at least --authorization-webhook-qps.")
}

// Strata's cache TTLs of the delegated authorizer (k8s.io/apiserver: 10 s both).
// An allowed answer is kept a minute: an agent repeats the same few requests (its
// watches, its reports), and RBAC stays the authority, a revoked grant taking
// effect within the minute. A denial is kept 10 s, so a new grant works soon.
const (
	defaultAllowCacheTTL = time.Minute
	defaultDenyCacheTTL  = 10 * time.Second
)

// applySARClient rebuilds the delegated authorizer of the generic options with
// the SARClient's rate limits; it leaves it as it is when there is none (no
// kubeconfig, not in a cluster).
func (o *Options) applySARClient(cfg *genericapiserver.RecommendedConfig) error {
	a := o.Recommended.Authorization
	if a == nil {
		return nil
	}
	restCfg, err := authorizationKubeconfig(a)
	if err != nil || restCfg == nil {
		return err
	}
	restCfg.QPS, restCfg.Burst, restCfg.Timeout = o.SARClient.QPS, o.SARClient.Burst, a.ClientTimeout
	if a.CustomRoundTripperFn != nil {
		restCfg.Wrap(a.CustomRoundTripperFn)
	}
	client, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		return fmt.Errorf("creating the SubjectAccessReview client: %w", err)
	}
	authz, err := delegatedAuthorizer(a, client)
	if err != nil {
		return err
	}
	cfg.Authorization.Authorizer = authz
	return nil
}

// authorizationKubeconfig is --authorization-kubeconfig, or the in-cluster
// configuration; nil when neither is there and that is allowed.
func authorizationKubeconfig(a *genericoptions.DelegatingAuthorizationOptions) (*rest.Config, error) {
	if a.RemoteKubeConfigFile != "" {
		rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: a.RemoteKubeConfigFile}
		c, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("--authorization-kubeconfig: %w", err)
		}
		return c, nil
	}
	c, err := rest.InClusterConfig()
	if errors.Is(err, rest.ErrNotInCluster) && a.RemoteKubeConfigFileOptional {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("the in-cluster configuration of delegated authorization: %w", err)
	}
	return c, nil
}

// delegatedAuthorizer is what k8s.io/apiserver's DelegatingAuthorizationOptions
// builds (always-allowed groups, always-allowed paths, then SubjectAccessReviews
// with the answers cached), over client.
func delegatedAuthorizer(a *genericoptions.DelegatingAuthorizationOptions, client kubernetes.Interface) (authorizer.Authorizer, error) {
	var named []union.NamedAuthorizer
	if len(a.AlwaysAllowGroups) > 0 {
		named = append(named, union.NamedAuthorizer{AuthorizerName: "always-allow-groups",
			Authorizer: authorizerfactory.NewPrivilegedGroups(a.AlwaysAllowGroups...)})
	}
	if len(a.AlwaysAllowPaths) > 0 {
		p, err := path.NewAuthorizer(a.AlwaysAllowPaths)
		if err != nil {
			return nil, fmt.Errorf("--authorization-always-allow-paths: %w", err)
		}
		named = append(named, union.NamedAuthorizer{AuthorizerName: "always-allow-paths", Authorizer: p})
	}
	sar, err := authorizerfactory.DelegatingAuthorizerConfig{
		SubjectAccessReviewClient: client.AuthorizationV1(),
		AllowCacheTTL:             a.AllowCacheTTL,
		DenyCacheTTL:              a.DenyCacheTTL,
		WebhookRetryBackoff:       a.WebhookRetryBackoff,
	}.New()
	if err != nil {
		return nil, fmt.Errorf("creating the delegated authorizer: %w", err)
	}
	named = append(named, union.NamedAuthorizer{AuthorizerName: "webhook", Authorizer: sar})
	return union.New(named...)
}

// validateAuthorizationCache checks the SAR client and the cache TTLs, naming
// the flags.
func (o *Options) validateAuthorizationCache() []error {
	if o.Standalone {
		return nil
	}
	errs := o.SARClient.Validate()
	if a := o.Recommended.Authorization; a != nil {
		if a.AllowCacheTTL < 0 {
			errs = append(errs, fmt.Errorf("--authorization-webhook-cache-authorized-ttl: %v, must not be negative", a.AllowCacheTTL))
		}
		if a.DenyCacheTTL < 0 {
			errs = append(errs, fmt.Errorf("--authorization-webhook-cache-unauthorized-ttl: %v, must not be negative", a.DenyCacheTTL))
		}
	}
	return errs
}
