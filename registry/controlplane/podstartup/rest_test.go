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

package podstartup

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apis/controlplane"
)

type fakeAwaiter struct {
	nodes []string
	err   error
	calls int
}

func (f *fakeAwaiter) Await(context.Context, *controlplane.PodStartup) ([]string, error) {
	f.calls++
	return f.nodes, f.err
}

func startup(mutate func(*controlplane.PodStartup)) *controlplane.PodStartup {
	s := &controlplane.PodStartup{Pod: controlplane.PodReference{Namespace: "ns", Name: "a"}, PodUID: "uid", NodeName: "n1",
		Addresses: []controlplane.IPAddress{controlplane.IPAddress(net.ParseIP("10.0.0.1").To4())}}
	if mutate != nil {
		mutate(s)
	}
	return s
}

func TestCreate(t *testing.T) {
	tests := []struct {
		name     string
		in       *controlplane.PodStartup
		awaitErr error
		dryRun   bool
		code     int32  // 0: success
		field    string // of a 422
	}{
		{name: "the barrier passes", in: startup(nil)},
		{name: "without a UID", in: startup(func(s *controlplane.PodStartup) { s.PodUID = "" })},
		{name: "dry run does not wait", in: startup(nil), dryRun: true},
		{name: "the barrier times out", in: startup(nil), awaitErr: errors.New("not installed on n2"), code: 503},
		{name: "no namespace", in: startup(func(s *controlplane.PodStartup) { s.Pod.Namespace = "" }), code: 422, field: "pod.namespace"},
		{name: "no Pod name", in: startup(func(s *controlplane.PodStartup) { s.Pod.Name = "" }), code: 422, field: "pod.name"},
		{name: "no Node", in: startup(func(s *controlplane.PodStartup) { s.NodeName = "" }), code: 422, field: "nodeName"},
		{name: "no address", in: startup(func(s *controlplane.PodStartup) { s.Addresses = nil }), code: 422, field: "addresses"},
		{name: "a 3-byte address", in: startup(func(s *controlplane.PodStartup) { s.Addresses[0] = []byte{1, 2, 3} }),
			code: 422, field: "addresses[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &fakeAwaiter{nodes: []string{"n1", "n2"}, err: tt.awaitErr}
			opts := &metav1.CreateOptions{}
			if tt.dryRun {
				opts.DryRun = []string{metav1.DryRunAll}
			}
			out, err := NewREST(a).Create(context.Background(), tt.in, nil, opts)
			if tt.code == 0 {
				if err != nil {
					t.Fatalf("Create: %v", err)
				}
				if tt.dryRun != (a.calls == 0) {
					t.Fatalf("%d barrier calls with dry run %v", a.calls, tt.dryRun)
				}
				if got := out.(*controlplane.PodStartup).Nodes; !tt.dryRun && strings.Join(got, ",") != "n1,n2" {
					t.Fatalf("answered Nodes %v", got)
				}
				return
			}
			status, ok := err.(apierrors.APIStatus)
			if !ok || status.Status().Code != tt.code {
				t.Fatalf("Create: %v, want a %d", err, tt.code)
			}
			if tt.field != "" && (len(status.Status().Details.Causes) == 0 || status.Status().Details.Causes[0].Field != tt.field) {
				t.Fatalf("Create: %v, want the cause on field %s", err, tt.field)
			}
		})
	}
}
