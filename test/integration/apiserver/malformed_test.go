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
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/strata-net/strata/apiserver/etcd"
	apiservertesting "github.com/strata-net/strata/apiserver/testing"
)

// TestMalformedObjectRecovery writes an object that cannot be decoded straight
// into etcd, next to a good one: listing names the key that cannot be read, a
// plain delete is refused, and the documented recovery works: a delete with
// ignoreStoreReadErrorWithClusterBreakingPotential (AllowUnsafeMalformedObjectDeletion,
// on by default at 1.37) removes it, and the good object is untouched.
func TestMalformedObjectRecovery(t *testing.T) {
	ctx := ctxT(t)
	e, err := etcd.Start(ctx, etcd.Config{DataDir: t.TempDir(), UnsafeNoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	s := apiservertesting.Start(t, apiservertesting.Config{EtcdServers: []string{e.ClientURL()}})
	waitSystemTiers(ctx, t, s.Client)
	policies := s.Client.CrdV1beta1().ClusterNetworkPolicies()
	if _, err := policies.Create(ctx, acnpV1beta1("good", "securityops", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kv, err := clientv3.New(clientv3.Config{Endpoints: []string{e.ClientURL()}, DialTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	goodKey := etcdKeyOf(ctx, t, kv, "/clusternetworkpolicies/good")
	badKey := strings.TrimSuffix(goodKey, "good") + "broken"
	if _, err := kv.Put(ctx, badKey, "{this is not an object"); err != nil {
		t.Fatal(err)
	}

	_, err = policies.List(ctx, metav1.ListOptions{})
	if err == nil || !strings.Contains(err.Error(), badKey) {
		t.Fatalf("listing with an undecodable object: %v, want an error naming %s", err, badKey)
	}
	if err := policies.Delete(ctx, "broken", metav1.DeleteOptions{}); err == nil {
		t.Fatal("a plain delete of the undecodable object succeeded; only the unsafe delete should")
	}
	unsafe := metav1.DeleteOptions{IgnoreStoreReadErrorWithClusterBreakingPotential: ptr.To(true)}
	if err := policies.Delete(ctx, "broken", unsafe); err != nil {
		t.Fatalf("the documented recovery (delete with ignoreStoreReadErrorWithClusterBreakingPotential): %v", err)
	}
	// The same with kubectl v1.32, which lacks --ignore-store-read-error: the
	// DeleteOptions body sent with --raw, as docs/fail-closed.md says.
	if _, err := kv.Put(ctx, badKey, "{this is not an object either"); err != nil {
		t.Fatal(err)
	}
	body := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(body, []byte(`{"kind":"DeleteOptions","apiVersion":"v1","ignoreStoreReadErrorWithClusterBreakingPotential":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, "kubectl", "--kubeconfig="+s.Kubeconfig, "delete", "--raw",
		"/apis/crd.antrea.io/v1beta1/clusternetworkpolicies/broken", "-f", body).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl delete --raw with the unsafe DeleteOptions: %v\n%s", err, out)
	}
	list, err := policies.List(ctx, metav1.ListOptions{})
	if err != nil || len(list.Items) != 1 || list.Items[0].Name != "good" {
		t.Fatalf("after the recovery: %v, %v; want exactly the good policy", list, err)
	}
}

// etcdKeyOf finds the etcd key that ends with suffix.
func etcdKeyOf(ctx context.Context, t *testing.T, kv *clientv3.Client, suffix string) string {
	t.Helper()
	resp, err := kv.Get(ctx, "/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range resp.Kvs {
		if strings.HasSuffix(string(k.Key), suffix) {
			return string(k.Key)
		}
	}
	t.Fatalf("no etcd key ends with %s", suffix)
	return ""
}
