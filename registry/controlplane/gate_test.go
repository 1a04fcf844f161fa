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

package controlplane_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// switchGate is a Gate the test opens.
type switchGate struct{ open atomic.Bool }

func (g *switchGate) Ready() error {
	if g.open.Load() {
		return nil
	}
	return errors.New("the informers of tiers.crd.antrea.io have not synced")
}

// TestGateClosed checks that nothing computed is served before the gate opens:
// get, list and watch of every computed resource answer 503 naming what is
// missing, and all of them work once it opens.
func TestGateClosed(t *testing.T) {
	gate := &switchGate{}
	s := startGatedServer(t, gate)
	ctx := context.Background()
	cp := s.client.ControlplaneV1beta2()
	opts := metav1.ListOptions{FieldSelector: "nodeName=node-a"}
	calls := []struct {
		name string
		call func() error
	}{
		{"list networkpolicies", func() error { _, err := cp.NetworkPolicies().List(ctx, opts); return err }},
		{"list addressgroups", func() error { _, err := cp.AddressGroups().List(ctx, opts); return err }},
		{"list appliedtogroups", func() error { _, err := cp.AppliedToGroups().List(ctx, opts); return err }},
		{"watch networkpolicies", func() error { return watchErr(cp.NetworkPolicies().Watch(ctx, opts)) }},
		{"watch addressgroups", func() error { return watchErr(cp.AddressGroups().Watch(ctx, opts)) }},
		{"watch appliedtogroups", func() error { return watchErr(cp.AppliedToGroups().Watch(ctx, opts)) }},
		{"get a networkpolicy", func() error {
			_, err := cp.NetworkPolicies().Get(ctx, "x", metav1.GetOptions{})
			return notFoundIsOK(err)
		}},
	}
	for _, c := range calls {
		t.Run("closed/"+c.name, func(t *testing.T) {
			err := c.call()
			if !apierrors.IsServiceUnavailable(err) || !strings.Contains(err.Error(), "tiers.crd.antrea.io") {
				t.Fatalf("%s before the first complete state: got %v, want 503 naming what is missing", c.name, err)
			}
		})
	}
	gate.open.Store(true)
	for _, c := range calls {
		t.Run("open/"+c.name, func(t *testing.T) {
			if err := c.call(); err != nil {
				t.Fatalf("%s once the state is complete: %v", c.name, err)
			}
		})
	}
}

// watchErr stops a watch that was opened and returns the error of opening it.
func watchErr(w interface{ Stop() }, err error) error {
	if err == nil {
		w.Stop()
	}
	return err
}

func notFoundIsOK(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
