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
	"net/http"

	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"

	"github.com/strata-net/strata/apiserver"
)

// waitForAuthnCAs holds readiness, and answers 503 to every API request, until
// the CAs of delegated authentication are loaded (apiserver.AuthnCAs). Run after
// the generic options were applied, without --standalone.
func (o *Options) waitForAuthnCAs(cfg *genericapiserver.RecommendedConfig) {
	a := o.Recommended.Authentication
	if a == nil || cfg.SecureServing == nil {
		return
	}
	var requestHeader dynamiccertificates.CAContentProvider
	if rh := cfg.Authentication.RequestHeaderConfig; rh != nil {
		requestHeader = rh.CAContentProvider
	}
	// The client CA is awaited when it is a file (loaded at once) or looked up in
	// the ConfigMap; the lookup had a client when it found the request-header
	// configuration there too.
	lookedUp := !a.SkipInClusterLookup && a.RequestHeader.ClientCAFile == "" && requestHeader != nil
	wantClientCA := a.ClientCert.ClientCA != "" || lookedUp
	cas := apiserver.NewAuthnCAs(cfg.SecureServing.ClientCA, requestHeader, wantClientCA)
	if cfg.SecureServing.Listener != nil {
		cas.Advertised = apiserver.AdvertisedClientCAs(cfg.SecureServing.Listener.Addr())
	}
	cfg.ReadyzChecks = append(cfg.ReadyzChecks, cas.ReadyzCheck())
	chain := cfg.BuildHandlerChainFunc
	cfg.BuildHandlerChainFunc = func(h http.Handler, c *genericapiserver.Config) http.Handler {
		token := ""
		if c.LoopbackClientConfig != nil {
			token = c.LoopbackClientConfig.BearerToken
		}
		return cas.Gate(chain(h, c), token)
	}
}
