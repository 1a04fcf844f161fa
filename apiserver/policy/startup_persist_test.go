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

package policy

import (
	"context"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// memoryAddressStore is a ReportedAddressStore in memory, keyed by
// namespace/name/uid.
type memoryAddressStore struct {
	mu    sync.Mutex
	saved map[string]StartingPod
}

func (m *memoryAddressStore) Save(_ context.Context, pod StartingPod) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saved[pod.Namespace+"/"+pod.Name+"/"+string(pod.UID)] = pod
	return nil
}

func (m *memoryAddressStore) Load(context.Context) ([]StartingPod, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]StartingPod, 0, len(m.saved))
	for _, p := range m.saved {
		out = append(out, p)
	}
	return out, nil
}

func (m *memoryAddressStore) Delete(_ context.Context, namespace, name string, uid types.UID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.saved, namespace+"/"+name+"/"+string(uid))
	return nil
}

func (m *memoryAddressStore) keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.saved))
	for k := range m.saved {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestReportedAddressesAcrossRestart: a Pod started (its address reported) and
// its status has no address yet when strata-apiserver restarts. The new process
// loads the saved report before its first pass, so the AddressGroup of the
// Drop that names the Pod holds its address from the first state the agents
// receive; saved reports of Pods that are gone, or of an older sandbox UID, are
// removed; a new report is saved under the informer's UID, and a deleted Pod's
// report is removed.
func TestReportedAddressesAcrossRestart(t *testing.T) {
	starting := apiPod("default", "client", "n2", "", map[string]string{"app": "client"})
	starting.Status = corev1.PodStatus{Phase: corev1.PodPending}
	other := apiPod("default", "other", "n1", "", map[string]string{"app": "client"})
	other.Status = corev1.PodStatus{Phase: corev1.PodPending}
	kubeObjs := []runtime.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}},
		apiPod("default", "server", "n1", "10.0.0.2", map[string]string{"app": "server"}), starting, other,
	}
	crdObjs := []runtime.Object{
		&crdv1beta1.Tier{ObjectMeta: metav1.ObjectMeta{Name: "securityops"}, Spec: crdv1beta1.TierSpec{Priority: 100}},
		acnp("drop", "securityops", 5, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "server")}},
			ruleFrom(crdv1beta1.RuleActionDrop, "DropClients", crdv1beta1.NetworkPolicyPeer{PodSelector: sel("app", "client")})),
	}
	store := &memoryAddressStore{saved: map[string]StartingPod{}}
	for _, p := range []StartingPod{
		{Namespace: "default", Name: "client", UID: starting.UID, NodeName: "n2", IPs: []net.IP{net.ParseIP("10.0.1.7")}},
		{Namespace: "default", Name: "client", UID: "uid-old-sandbox", NodeName: "n2", IPs: []net.IP{net.ParseIP("10.0.1.5")}},
		{Namespace: "default", Name: "gone", UID: "uid-gone", NodeName: "n2", IPs: []net.IP{net.ParseIP("10.0.1.6")},
			SavedAt: time.Now().Add(-time.Hour)},
		// Not in the informer yet (a lagging watch cache): kept, and applied when it comes.
		{Namespace: "default", Name: "late", UID: "uid-default-late", NodeName: "n2", IPs: []net.IP{net.ParseIP("10.0.1.3")},
			SavedAt: time.Now()},
		{Namespace: "default", Name: "other", UID: other.UID, NodeName: "n2", IPs: []net.IP{net.ParseIP("10.0.1.4")}}, // another Node than the Pod's
	} {
		_ = store.Save(context.Background(), p)
	}
	c, kube, sink, _ := startControllerWith(t, kubeObjs, crdObjs, Config{ReportedAddresses: store})
	group := groupName(t, "", nil, sel("app", "client"))
	got := sink.addressesOf(group)
	if len(got["default/client"]) != 1 || got["default/client"][0] != "10.0.1.7" || len(got["default/other"]) != 0 {
		t.Fatalf("the first published AddressGroup holds %v, want the saved 10.0.1.7 for default/client only", got)
	}
	want := []string{"default/client/" + string(starting.UID), "default/late/uid-default-late"}
	if keys := store.keys(); !slices.Equal(keys, want) {
		t.Fatalf("saved reports after the load %v, want only %v", keys, want)
	}
	late := apiPod("default", "late", "n2", "", map[string]string{"app": "client"})
	late.Status = corev1.PodStatus{Phase: corev1.PodPending}
	if _, err := kube.CoreV1().Pods("default").Create(context.Background(), late, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		got := sink.addressesOf(group)["default/late"]
		return len(got) == 1 && got[0] == "10.0.1.3", nil
	})
	if err != nil {
		t.Fatalf("the Pod that reached the informer after the load: AddressGroup %v, want its saved 10.0.1.3", sink.addressesOf(group))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.ReportPodAddresses(ctx, StartingPod{Namespace: "default", Name: "other", NodeName: "n1", IPs: []net.IP{net.ParseIP("10.0.0.9")}}); err != nil {
		t.Fatalf("ReportPodAddresses: %v", err)
	}
	want = append(want, "default/other/"+string(other.UID))
	slices.Sort(want)
	if keys := store.keys(); !slices.Equal(keys, want) {
		t.Fatalf("saved reports after a report without UID %v, want %v (saved under the informer's UID)", keys, want)
	}

	if err := kube.CoreV1().Pods("default").Delete(ctx, "client", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want = slices.DeleteFunc(want, func(k string) bool { return strings.HasPrefix(k, "default/client/") })
	var keys []string
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		keys = store.keys()
		return slices.Equal(keys, want), nil
	})
	if err != nil {
		t.Fatalf("waiting for the deleted Pod's saved report to go: saved %v, want %v", keys, want)
	}
}
