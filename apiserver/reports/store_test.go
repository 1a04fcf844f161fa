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

package reports

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/etcd/etcdtest"
)

// startStore starts an embedded etcd and returns a store on it.
func startStore(t *testing.T) *Store {
	t.Helper()
	store, client, err := NewStore(EtcdConfig{Endpoints: []string{etcdtest.Start(t)}, Prefix: "/registry/strata"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return store
}

func report(node string, gen int64) controlplane.NetworkPolicyNodeStatus {
	return controlplane.NetworkPolicyNodeStatus{NodeName: node, Generation: gen}
}

// keys renders entries as sorted "policy/node@generation[!]" strings.
func keys(entries []Entry) []string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		s := fmt.Sprintf("%s/%s@%d", e.Policy, e.Status.NodeName, e.Status.Generation)
		if e.Status.RealizationFailure {
			s += "!" + e.Status.Message
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func list(t *testing.T, s *Store) []string {
	t.Helper()
	entries, _, err := s.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return keys(entries)
}

func TestStorePutListDelete(t *testing.T) {
	s, ctx := startStore(t), context.Background()
	for _, p := range []struct {
		policy string
		st     controlplane.NetworkPolicyNodeStatus
	}{
		{"p1", report("n1", 1)}, {"p1", report("n2", 1)}, {"p2", report("n1", 3)},
		{"p1", report("n1", 2)}, // replaces p1/n1@1
		{"p2", controlplane.NetworkPolicyNodeStatus{NodeName: "n2", Generation: 3, RealizationFailure: true, Message: "no OVS"}},
	} {
		if err := s.Put(ctx, p.policy, p.st); err != nil {
			t.Fatal(err)
		}
	}
	assertKeys(t, "after the puts", list(t, s), "p1/n1@2", "p1/n2@1", "p2/n1@3", "p2/n2@3!no OVS")
	if err := s.DeleteReports(ctx, "p1", []string{"n1", "n2"}); err != nil {
		t.Fatal(err)
	}
	assertKeys(t, "after deleting p1's reports", list(t, s), "p2/n1@3", "p2/n2@3!no OVS")
	if err := s.DeleteNode(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	assertKeys(t, "after deleting Node n1", list(t, s), "p2/n2@3!no OVS")
}

func assertKeys(t *testing.T, when string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("%s: reports %v, want %v", when, got, want)
	}
}

func TestStoreRefusesBadNames(t *testing.T) {
	s := startStore(t)
	for _, tc := range []struct {
		name, policy, node, field string
	}{
		{"empty policy", "", "n1", "policy"},
		{"policy with a slash", "a/b", "n1", "policy"},
		{"empty node", "p1", "", "nodeName"},
		{"node with a slash", "p1", "../n2", "nodeName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Put(context.Background(), tc.policy, report(tc.node, 1))
			if err == nil || !strings.Contains(err.Error(), "invalid "+tc.field) {
				t.Fatalf("Put(%q, %q): error %v, want one naming %s", tc.policy, tc.node, err, tc.field)
			}
		})
	}
	if got := list(t, s); len(got) != 0 {
		t.Fatalf("refused reports were stored: %v", got)
	}
	if err := s.DeleteNode(context.Background(), "a/b"); err == nil {
		t.Fatal("DeleteNode of a name with a slash: no error")
	}
}

func TestEtcdConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  EtcdConfig
		want string
	}{
		{"no endpoint", EtcdConfig{}, "--etcd-servers"},
		{"cert without key", EtcdConfig{Endpoints: []string{"http://127.0.0.1:2379"}, CertFile: "c"}, "--etcd-keyfile"},
		{"valid", EtcdConfig{Endpoints: []string{"http://127.0.0.1:2379"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Validate: %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

// sinkState is a Sink that keeps the set as the aggregator does.
type sinkState struct {
	mu       sync.Mutex
	set      map[string]Entry
	revision int64
	lists    int
}

func (s *sinkState) ReplaceReports(entries []Entry, revision int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	if revision < s.revision {
		return
	}
	s.set, s.revision = map[string]Entry{}, revision
	for _, e := range entries {
		s.set[e.Policy+"/"+e.Status.NodeName] = e
	}
}

func (s *sinkState) ApplyReport(e Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.Revision <= s.revision {
		return
	}
	s.revision = e.Revision
	if e.Deleted {
		delete(s.set, e.Policy+"/"+e.Status.NodeName)
		return
	}
	s.set[e.Policy+"/"+e.Status.NodeName] = e
}

func (s *sinkState) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries := make([]Entry, 0, len(s.set))
	for _, e := range s.set {
		entries = append(entries, e)
	}
	return keys(entries)
}

func (s *sinkState) waitKeys(t *testing.T, when string, want ...string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 10*time.Second, true,
		func(context.Context) (bool, error) {
			return strings.Join(s.keys(), " ") == strings.Join(want, " "), nil
		})
	if err != nil {
		t.Fatalf("%s: waiting 10s for the mirror to hold %v: it holds %v", when, want, s.keys())
	}
}

// TestMirrorFollowsEtcd lists what was there before it started, then applies every
// put and delete from its watch; a relist changes nothing, and the watch keeps
// following after a compaction.
func TestMirrorFollowsEtcd(t *testing.T) {
	s, ctx := startStore(t), context.Background()
	if err := s.Put(ctx, "p1", report("n1", 1)); err != nil {
		t.Fatal(err)
	}
	sink := &sinkState{}
	mirror := NewMirror(s, sink)
	runCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	go mirror.Run(runCtx)
	sink.waitKeys(t, "after the first list", "p1/n1@1")
	for _, p := range []string{"p2", "p3"} {
		if err := s.Put(ctx, p, report("n2", 4)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteNode(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	sink.waitKeys(t, "after two puts and a Node's delete", "p2/n2@4", "p3/n2@4")
	if err := s.DeleteReports(ctx, "p2", []string{"n2"}); err != nil {
		t.Fatal(err)
	}
	sink.waitKeys(t, "after deleting p2's report", "p3/n2@4")
	if _, err := mirror.Relist(ctx); err != nil {
		t.Fatal(err)
	}
	sink.waitKeys(t, "after a relist", "p3/n2@4")
	resp, err := s.client.Put(ctx, "/unrelated", "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Compact(ctx, resp.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "p4", report("n3", 1)); err != nil {
		t.Fatal(err)
	}
	sink.waitKeys(t, "after a compaction and a put", "p3/n2@4", "p4/n3@1")
}
