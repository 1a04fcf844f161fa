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

package nodeagent

import (
	"errors"
	"fmt"
	"net/http"

	"k8s.io/apiserver/pkg/server/healthz"
)

// errNotStarted fails every readiness check until Run has built the agent's
// components (it may wait minutes for the Node's Pod CIDR first).
var errNotStarted = errors.New("strata-agent is starting (bridge, Pod network)")

// ReadyChecks are the agent's readiness checks, served under /readyz by the
// agent server (nodeagent/agentserver): connected to OVSDB and to the bridge over
// OpenFlow, the first complete policy sync installed and, with the Pod network,
// the Pod network set up and the Services synced.
func (a *Agent) ReadyChecks() []healthz.HealthChecker {
	checks := []healthz.HealthChecker{
		a.check("ovsdb", func(p *components) error {
			if err := p.db.Err(); err != nil {
				return fmt.Errorf("OVSDB connection: %w", err)
			}
			return nil
		}),
		a.check("openflow", func(p *components) error {
			if !p.of.Connected() {
				return fmt.Errorf("no OpenFlow connection to %s", a.cfg.mgmtSocket())
			}
			return nil
		}),
		a.check("policy-sync", func(p *components) error {
			if !p.policies.Synced() {
				return errors.New("the first complete sync of the controlplane watches is not installed yet")
			}
			return nil
		}),
	}
	if a.cfg.Kube != nil {
		checks = append(checks, a.check("services-sync", func(p *components) error {
			if p.services == nil || !p.services.HasSynced() {
				return errors.New("the Services and EndpointSlices are not synced yet")
			}
			return nil
		}))
	}
	return checks
}

// check is a named readiness check of the running parts.
func (a *Agent) check(name string, f func(*components) error) healthz.HealthChecker {
	return healthz.NamedCheck(name, func(*http.Request) error {
		p := a.running.Load()
		if p == nil {
			return errNotStarted
		}
		return f(p)
	})
}
