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

package localcluster

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/strata-net/strata/test/e2e/framework"
)

const refusedNamespace = "e2e-refused"

// refusedObjects: a server, two clients the policies name and a control, and the
// administrator's Drop of client-a at priority 10 (below the stored policy).
var refusedObjects = manifests([]string{refusedNamespace},
	agnhostPod{refusedNamespace, "srv", "app: rf-srv", 1, "netexec, --http-port=80"},
	agnhostPod{refusedNamespace, "client-a", "app: rf-client-a", 2, "pause"},
	agnhostPod{refusedNamespace, "client-b", "app: rf-client-b", 2, "pause"},
	agnhostPod{refusedNamespace, "control", "app: rf-control", 2, "pause"}) + "---\n" + `apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-refused-drop}
spec:
  tier: securityops
  priority: 10
  appliedTo: [{podSelector: {matchLabels: {app: rf-srv}}}]
  ingress:
  - {action: Drop, name: drop-a, from: [{podSelector: {matchLabels: {app: rf-client-a}}}], ports: [{protocol: TCP, port: 80}]}
`

// refusedStored is a ClusterNetworkPolicy as an older version stored it, with
// fields this version refuses: an Allow of GET /api only (l7Protocols), and a Drop
// whose peers are client-b and an externalEntitySelector.
const refusedStored = `{"apiVersion":"crd.antrea.io/v1beta1","kind":"ClusterNetworkPolicy",
"metadata":{"name":"e2e-refused-legacy","uid":"6f1e1d34-1111-4a3c-9d7e-3c1f2b9a0e01","generation":1,
 "creationTimestamp":"2026-01-01T00:00:00Z"},
"spec":{"tier":"securityops","priority":1,
 "appliedTo":[{"podSelector":{"matchLabels":{"app":"rf-srv"}}}],
 "ingress":[
  {"action":"Allow","name":"get-api-only","from":[{"podSelector":{"matchLabels":{"app":"rf-client-a"}}}],
   "ports":[{"protocol":"TCP","port":80}],"l7Protocols":[{"http":{"method":"GET","path":"/api"}}],"enableLogging":false},
  {"action":"Drop","name":"drop-b","from":[{"podSelector":{"matchLabels":{"app":"rf-client-b"}}},
   {"externalEntitySelector":{"matchLabels":{"app":"vm"}}}],"enableLogging":false}]}}`

// TestRefusedFieldStored: an object an older version stored with fields this
// version refuses (written straight into strata-apiserver's etcd) never widens
// what is allowed: its Allow with l7Protocols installs nothing (client-a stays
// dropped by the administrator's later Drop, where a plain L4 Allow would let it
// through), its Drop keeps its exact peer (client-b is dropped) without
// becoming broader (the control connects); its status is Failed with Realizable
// False naming both fields; and an update that keeps the fields is refused with a
// 422 naming them.
func TestRefusedFieldStored(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	file := filepath.Join(t.TempDir(), "objects.yaml")
	writeFile(t, file, refusedObjects)
	deleteOnCleanup(t, file)
	t.Cleanup(func() {
		_, _ = framework.Kubectl(context.Background(), lc.Kubeconfig, "delete", "acnp", "--ignore-not-found", "e2e-refused-legacy")
	})
	kubectl(ctx, t, "apply", "-f", file)
	eventually(ctx, t, settleTimeout, "the 4 Pods to be Ready", func(ctx context.Context) error {
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, refusedNamespace, 4)
		return err
	})
	waitPolicyRealized(ctx, t, "e2e-refused-drop", 1)
	_ = putStored(ctx, t, "e2e-refused-drop", "e2e-refused-legacy", refusedStored)

	eventually(ctx, t, settleTimeout, "the stored policy's status to tell the truth", func(ctx context.Context) error {
		out, err := kubectlOut(ctx, "get", "acnp", "e2e-refused-legacy", "-o",
			`jsonpath={.status.observedGeneration} {.status.phase} {.status.conditions[?(@.type=="Realizable")].status} {.status.conditions[?(@.type=="Realizable")].reason}|{.status.conditions[?(@.type=="Realizable")].message}`)
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		head, msg, _ := strings.Cut(out, "|")
		if f := strings.Fields(head); len(f) != 4 || f[0] != "1" || f[1] != "Failed" || f[2] != "False" || f[3] != "UnsupportedField" ||
			!strings.Contains(msg, "spec.ingress[0].l7Protocols") || !strings.Contains(msg, "spec.ingress[1].from[1].externalEntitySelector") {
			return fmt.Errorf("observed generation, phase, Realizable, reason | message: %q", out)
		}
		return nil
	})
	srv := podIP(ctx, t, refusedNamespace, "srv") + ":80"
	for _, tc := range []struct{ pod, want string }{{"client-a", "TIMEOUT"}, {"client-b", "TIMEOUT"}, {"control", ""}} {
		eventuallyOutcome(ctx, t, func(ctx context.Context) string { return connectOutcome(ctx, refusedNamespace, tc.pod, srv) },
			tc.want, fmt.Sprintf("%s -> srv to be %q", tc.pod, tc.want))
	}
	// Still so a while later: nothing converges to a looser state.
	for _, tc := range []struct{ pod, want string }{{"client-a", "TIMEOUT"}, {"client-b", "TIMEOUT"}, {"control", ""}} {
		if got := connectOutcome(ctx, refusedNamespace, tc.pod, srv); got != tc.want {
			t.Errorf("%s -> srv: %q, want %q", tc.pod, got, tc.want)
		}
	}
	stderr := kubectlFails(ctx, t, "label", "acnp", "e2e-refused-legacy", "e2e=touched")
	for _, want := range []string{"spec.ingress[0].l7Protocols", "not supported by this Strata version"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("an update keeping the refused fields: %q, want it to name %q", stderr, want)
		}
	}
}

// putStored writes an object into strata-apiserver's embedded etcd next to the
// ClusterNetworkPolicy besides (as an older version would have stored it, or
// corrupt), and returns its key.
func putStored(ctx context.Context, t *testing.T, besides, name, object string) string {
	t.Helper()
	kv, err := clientv3.New(clientv3.Config{Endpoints: []string{fmt.Sprintf("http://127.0.0.1:%d", lc.PortBase+2)}, DialTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	resp, err := kv.Get(ctx, "/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range resp.Kvs {
		if key := string(k.Key); strings.HasSuffix(key, "/clusternetworkpolicies/"+besides) {
			stored := strings.TrimSuffix(key, besides) + name
			if _, err := kv.Put(ctx, stored, strings.ReplaceAll(object, "\n", "")); err != nil {
				t.Fatal(err)
			}
			return stored
		}
	}
	t.Fatalf("no etcd key of ClusterNetworkPolicy %s in strata-apiserver's etcd", besides)
	return ""
}
