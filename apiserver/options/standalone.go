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
	"fmt"

	"k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/authentication/authenticatorfactory"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	"k8s.io/apiserver/pkg/authorization/path"
	"k8s.io/apiserver/pkg/authorization/union"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"

	genericapiserver "k8s.io/apiserver/pkg/server"

	strataadmission "github.com/strata-net/strata/apiserver/admission"
	"github.com/strata-net/strata/apiserver/standalone"
	informers "github.com/strata-net/strata/generated/informers/externalversions"
)

// completeStandalone configures the generic options for a server without
// kube-apiserver: only client certificates of the private CA authenticate, only the
// system:masters group is authorized (health endpoints stay open), nothing is
// delegated to a kube-apiserver (not even an in-cluster one), and the generic
// admission plugins, which need a Kubernetes client, are replaced by Strata's own.
func (o *Options) completeStandalone() {
	ro := o.Recommended
	pki := standalone.PKI{Dir: o.pkiDir()}
	ro.SecureServing.ServerCert.CertKey.CertFile = pki.ServingCert()
	ro.SecureServing.ServerCert.CertKey.KeyFile = pki.ServingKey()
	// No delegation at all: the generic delegating options would fall back to an
	// in-cluster configuration (TokenReview, SubjectAccessReview) when run in a Pod.
	// The server's own client-certificate authenticator and admin-only authorizer
	// replace them (applyStandaloneAuth).
	o.standaloneDelegation = ro.Authentication.RemoteKubeConfigFile != "" || ro.Authorization.RemoteKubeConfigFile != ""
	o.standaloneAllowPaths = append(append([]string{}, ro.Authorization.AlwaysAllowPaths...), "/version")
	ro.Authentication = nil
	ro.Authorization = nil
	ro.CoreAPI = nil
	ro.Admission = nil
	ro.Features.EnablePriorityAndFairness = false
}

// preparePKI creates the standalone certificates before the serving options read
// them.
func (o *Options) preparePKI() error {
	pki := standalone.PKI{Dir: o.pkiDir()}
	if err := pki.Ensure(o.AlternateHosts); err != nil {
		return fmt.Errorf("standalone certificates in %s: %w", pki.Dir, err)
	}
	return nil
}

// standaloneAdmission builds Strata's admission chain alone, with the server's
// authorizer (which allows only the admin).
func standaloneAdmission(cfg *genericapiserver.RecommendedConfig, f informers.SharedInformerFactory) error {
	chain, err := strataadmission.NewChain(strataadmission.Initializer{Informers: f, Authorizer: cfg.Authorization.Authorizer})
	if err != nil {
		return fmt.Errorf("building the admission chain: %w", err)
	}
	cfg.AdmissionControl = chain
	return nil
}

// writeKubeconfig writes the admin kubeconfig for the port the server listens on,
// naming an address the serving certificate covers.
func (o *Options) writeKubeconfig(cfg *genericapiserver.RecommendedConfig) error {
	if o.WriteKubeconfig == "" {
		return nil
	}
	url := standalone.ServerURL(cfg.SecureServing.Listener.Addr())
	pki := standalone.PKI{Dir: o.pkiDir()}
	if err := pki.WriteKubeconfig(o.WriteKubeconfig, url); err != nil {
		return fmt.Errorf("--write-kubeconfig: %w", err)
	}
	return nil
}

// applyStandaloneAuth sets the standalone server's authentication (client
// certificates of the private CA; anonymous for the open paths) and authorization
// (the admin group; the health and version paths), with no delegation.
func (o *Options) applyStandaloneAuth(cfg *genericapiserver.RecommendedConfig) error {
	ca, err := dynamiccertificates.NewDynamicCAContentFromFile("strata-standalone-ca", standalone.PKI{Dir: o.pkiDir()}.CACert())
	if err != nil {
		return fmt.Errorf("loading the standalone CA: %w", err)
	}
	if err := cfg.Authentication.ApplyClientCert(ca, cfg.SecureServing); err != nil {
		return fmt.Errorf("serving with client certificates: %w", err)
	}
	authn, _, err := authenticatorfactory.DelegatingAuthenticatorConfig{
		Anonymous:                          &apiserver.AnonymousAuthConfig{Enabled: true},
		ClientCertificateCAContentProvider: ca,
	}.New()
	if err != nil {
		return fmt.Errorf("building the standalone authenticator: %w", err)
	}
	cfg.Authentication.Authenticator = authn
	paths, err := path.NewAuthorizer(o.standaloneAllowPaths)
	if err != nil {
		return fmt.Errorf("building the standalone path authorizer: %w", err)
	}
	authz, err := union.New(
		union.NamedAuthorizer{AuthorizerName: "strata-standalone-admin", Authorizer: authorizerfactory.NewPrivilegedGroups(standalone.AdminGroup)},
		union.NamedAuthorizer{AuthorizerName: "strata-standalone-paths", Authorizer: paths})
	if err != nil {
		return fmt.Errorf("building the standalone authorizer: %w", err)
	}
	cfg.Authorization.Authorizer = authz
	return nil
}
