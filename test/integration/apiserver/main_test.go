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

// Package apiserver tests strata-apiserver in-process (standalone mode, embedded
// etcd, 127.0.0.1 with an ephemeral port) through the generated clientset.
package apiserver

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	apiservertesting "github.com/strata-net/strata/apiserver/testing"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

// shared is one server for the tests that neither restart it nor need a fresh
// database; each test uses its own object names.
var shared *apiservertesting.Server

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "strata-apiserver-it-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	shared, err = apiservertesting.New(apiservertesting.Config{DataDir: dir})
	if err != nil {
		fmt.Fprintf(os.Stderr, "starting the shared strata-apiserver: %v\n", err)
		return 1
	}
	defer shared.Stop()
	return m.Run()
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitSystemTiers waits until the six system Tiers exist.
func waitSystemTiers(ctx context.Context, t *testing.T, c versioned.Interface) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		list, err := c.CrdV1beta1().Tiers().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		return len(list.Items) >= 6, nil
	})
	if err != nil {
		t.Fatalf("waiting 30s for the six system Tiers: %v", err)
	}
}

func tierV1beta1(name string, priority int32) *crdv1beta1.Tier {
	return &crdv1beta1.Tier{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: crdv1beta1.TierSpec{Priority: priority}}
}

func acnpV1beta1(name, tier string, priority float64) *crdv1beta1.ClusterNetworkPolicy {
	allow := crdv1beta1.RuleActionAllow
	return &crdv1beta1.ClusterNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: crdv1beta1.ClusterNetworkPolicySpec{
			Tier:      tier,
			Priority:  priority,
			AppliedTo: []crdv1beta1.AppliedTo{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "redis"}}}},
			Ingress: []crdv1beta1.Rule{{
				Action: &allow,
				From:   []crdv1beta1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "guestbook"}}}},
			}},
		},
	}
}

// statusOf returns the API status of err, failing when err is not one.
func statusOf(t *testing.T, err error) metav1.Status {
	t.Helper()
	var status apierrors.APIStatus
	if err == nil {
		t.Fatal("want an error, got none")
	}
	if s, ok := err.(apierrors.APIStatus); ok {
		status = s
	} else {
		t.Fatalf("want an API status error, got %T: %v", err, err)
	}
	return status.Status()
}

// wantCause requires an API error of the given HTTP code with a cause at field.
func wantCause(t *testing.T, err error, code int32, field string) {
	t.Helper()
	st := statusOf(t, err)
	if st.Code != code {
		t.Fatalf("got HTTP %d (%s), want %d: %s", st.Code, st.Reason, code, st.Message)
	}
	if field == "" {
		return
	}
	if st.Details != nil {
		for _, c := range st.Details.Causes {
			if c.Field == field {
				return
			}
		}
	}
	t.Fatalf("no cause at %s in %s", field, st.Message)
}
