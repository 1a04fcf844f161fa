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

// Package agentserver is strata-agent's HTTPS server, as a kubelet serves its own:
// health, readiness, Prometheus metrics and any further handler the agent
// registers, behind TLS and the authentication and authorization of
// kube-apiserver (delegated: TokenReview and SubjectAccessReview).
//
//	client ──TLS──▶ /healthz, /livez, /readyz[/<check>]   always allowed (probes)
//	                 │
//	                 └─ any other path (/metrics, Handle(...))
//	                      │ authenticate: client certificate (--client-ca-file)
//	                      │               or bearer token ──TokenReview──▶ kube-apiserver
//	                      │ authorize:    non-resource request (path, verb)
//	                      │               ──SubjectAccessReview──▶ kube-apiserver
//	                      ▼
//	                    handler  (401 unauthenticated, 403 denied)
//
// The serving certificate is the configured key pair or, without one, a
// self-signed certificate made at start for the Node's name and the bind address
// (as kubelet does). A client that may scrape the agents needs, for example:
//
//	rules:
//	- nonResourceURLs: ["/metrics"]
//	  verbs: ["get"]
//
// and the agent's own identity needs system:auth-delegator (to create
// TokenReviews and SubjectAccessReviews).
package agentserver
