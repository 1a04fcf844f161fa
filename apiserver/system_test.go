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

package apiserver

import (
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type fakeSyncer struct {
	synced bool
	ready  error
}

func (f fakeSyncer) HasSynced() bool { return f.synced }
func (f fakeSyncer) Ready() error    { return f.ready }

// TestControllerHealthy checks the ControllerHealthy condition: it carries what the
// computation waits for (an informer's list error with the etcd key).
func TestControllerHealthy(t *testing.T) {
	waiting := errors.New("the policy computation waits for its informers to sync: clusternetworkpolicies.crd.antrea.io (last error: corrupt object, Key: /registry/strata/x)")
	tests := []struct {
		name          string
		computation   syncer
		status        metav1.ConditionStatus
		reason, inMsg string
	}{
		{"standalone", nil, metav1.ConditionFalse, "NoKubernetesAPI", "standalone"},
		{"an informer cannot list", fakeSyncer{ready: waiting}, metav1.ConditionFalse, "Syncing", "/registry/strata/x"},
		{"changes to publish", fakeSyncer{}, metav1.ConditionFalse, "Syncing", "changes to publish"},
		{"computed", fakeSyncer{synced: true}, metav1.ConditionTrue, "Computed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &infoSource{computation: tt.computation}
			c := s.healthy()
			if c.Status != tt.status || c.Reason != tt.reason || !strings.Contains(c.Message, tt.inMsg) {
				t.Fatalf("healthy() = %s %s %q, want %s %s with %q", c.Status, c.Reason, c.Message, tt.status, tt.reason, tt.inMsg)
			}
		})
	}
}
