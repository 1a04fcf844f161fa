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

package agentserver

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/authenticatorfactory"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	"k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	"k8s.io/klog/v2"
)

// denyCacheTTL is how long a denial is cached (short: RBAC changes apply soon).
const denyCacheTTL = 10 * time.Second

// webhookBackoff retries TokenReviews and SubjectAccessReviews as
// k8s.io/apiserver's delegated options do.
var webhookBackoff = wait.Backoff{Duration: 500 * time.Millisecond, Factor: 1.5, Jitter: 0.2, Steps: 5}

// delegated builds the authenticator (client certificates, TokenReview) and the
// authorizer (SubjectAccessReview) of kube-apiserver.
func (c *Config) delegated() (authenticator.Request, authorizer.Authorizer, error) {
	backoff := webhookBackoff
	authnCfg := authenticatorfactory.DelegatingAuthenticatorConfig{
		TokenAccessReviewClient:  c.Kube.AuthenticationV1(),
		TokenAccessReviewTimeout: 10 * time.Second,
		WebhookRetryBackoff:      &backoff,
		CacheTTL:                 c.AuthCacheTTL,
	}
	if c.ClientCAFile != "" {
		ca, err := dynamiccertificates.NewDynamicCAContentFromFile("client-ca", c.ClientCAFile)
		if err != nil {
			return nil, nil, fmt.Errorf("--client-ca-file: %w", err)
		}
		authnCfg.ClientCertificateCAContentProvider = ca
	}
	authn, _, err := authnCfg.New()
	if err != nil {
		return nil, nil, fmt.Errorf("delegated authentication: %w", err)
	}
	authz, err := authorizerfactory.DelegatingAuthorizerConfig{
		SubjectAccessReviewClient: c.Kube.AuthorizationV1(),
		AllowCacheTTL:             c.AuthCacheTTL,
		DenyCacheTTL:              denyCacheTTL,
		WebhookRetryBackoff:       &backoff,
	}.New()
	if err != nil {
		return nil, nil, fmt.Errorf("delegated authorization: %w", err)
	}
	return authn, authz, nil
}

// protect authenticates and authorizes every request to h as a non-resource
// request: the verb is the lower-case HTTP method (get, post, ...), the path
// the request's.
func protect(h http.Handler, authn authenticator.Request, authz authorizer.Authorizer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, ok, err := authn.AuthenticateRequest(r)
		if err != nil || !ok {
			if err != nil {
				klog.V(2).InfoS("Agent server: authentication failed", "path", r.URL.Path, "err", err)
			}
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		attrs := authorizer.AttributesRecord{User: resp.User, Verb: strings.ToLower(r.Method), Path: r.URL.Path}
		decision, reason, err := authz.Authorize(r.Context(), attrs)
		if decision != authorizer.DecisionAllow {
			klog.V(2).InfoS("Agent server: forbidden", "user", resp.User.GetName(), "verb", attrs.Verb,
				"path", attrs.Path, "reason", reason, "err", err)
			http.Error(w, fmt.Sprintf("Forbidden: user %q may not %s %s", resp.User.GetName(), attrs.Verb, attrs.Path),
				http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r.WithContext(request.WithUser(r.Context(), resp.User)))
	})
}
