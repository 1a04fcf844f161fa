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
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	malformedNamespace = "e2e-malformed"
	malformedPolicy    = "e2e-malformed-drop"
	// malformedHeld is how long the test keeps probing while the object cannot be
	// read.
	malformedHeld = 10 * time.Second
)

func malformedObjects() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", malformedNamespace)
	for _, p := range []struct {
		name, app, args string
		node            int
	}{{"srv", "mf-server", "netexec, --http-port=80", 2}, {"bad-client", "mf-client", "pause", 1}, {"ok-client", "mf-ok", "pause", 1}} {
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s, labels: {app: %s}}
spec:
  nodeName: worker%d
  containers:
  - {name: c, image: registry.k8s.io/e2e-test-images/agnhost:2.53, command: [/agnhost], args: [%s]}
`, p.name, malformedNamespace, p.app, p.node, p.args)
	}
	fmt.Fprintf(&b, `---
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: %s}
spec:
  priority: 5
  tier: securityops
  appliedTo: [{podSelector: {matchLabels: {app: mf-server}}}]
  ingress:
  - {action: Drop, name: drop-mf-clients, from: [{podSelector: {matchLabels: {app: mf-client}}}], ports: [{protocol: TCP, port: 80}]}
`, malformedPolicy)
	return b.String()
}

// TestMalformedObject writes a ClusterNetworkPolicy that cannot be decoded straight
// into strata-apiserver's etcd and restarts strata-apiserver: it stays unready,
// /readyz names the resource and its log the etcd key, the agents keep
// their flows (the Drop keeps dropping, the allowed connection works), and the
// documented recovery (DELETE with ignoreStoreReadErrorWithClusterBreakingPotential,
// through kube-apiserver with the real kubectl v1.32) brings it back.
func TestMalformedObject(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	file := filepath.Join(t.TempDir(), "objects.yaml")
	writeFile(t, file, malformedObjects())
	deleteOnCleanup(t, file)
	kubectl(ctx, t, "apply", "-f", file)
	var pods []framework.Pod
	eventually(ctx, t, settleTimeout, "the 3 Pods to be Ready", func(ctx context.Context) error {
		var err error
		pods, err = framework.ReadyPods(ctx, lc.Kubeconfig, malformedNamespace, 3)
		return err
	})
	waitPolicyRealized(ctx, t, malformedPolicy, 1)
	srv, client := pods[2], newSource(podNetNS(t, 1, podUIDIn(t, malformedNamespace, "bad-client")))
	p := startProber(ctx, []probePair{
		{name: "bad-client -> srv", src: client, srcName: "bad-client", addr: srv.IP + ":80", forbidden: true},
		{name: "ok-client -> srv", src: newSource(podNetNS(t, 1, podUIDIn(t, malformedNamespace, "ok-client"))), srcName: "ok-client", addr: srv.IP + ":80"},
	})
	defer p.stop()
	eventually(ctx, t, settleTimeout, "the allowed connection", func(context.Context) error { return p.up() })
	m := p.mark()

	key := putMalformed(ctx, t)
	pid := componentPID(t, "strata-apiserver")
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(ctx, t, settleTimeout, "/readyz to name clusternetworkpolicies.crd.antrea.io", func(ctx context.Context) error {
		out, err := strataReadyz(ctx)
		if err == nil || !strings.Contains(out, "[-]strata-informer-clusternetworkpolicies.crd.antrea.io failed") {
			return fmt.Errorf("readyz %v:\n%s", err, out)
		}
		return nil
	})
	eventually(ctx, t, settleTimeout, "strata-apiserver's log to name the etcd key", func(ctx context.Context) error {
		data, err := os.ReadFile(filepath.Join(lc.Dir, "logs", "strata-apiserver.log"))
		if err != nil || !strings.Contains(string(data), "corrupt object") || !strings.Contains(string(data), key) {
			return fmt.Errorf("no line about the corrupt object at %s (%v)", key, err)
		}
		return nil
	})
	held := time.Now()
	eventually(ctx, t, malformedHeld+time.Minute, fmt.Sprintf("%s of probing while the object cannot be read", malformedHeld), func(context.Context) error {
		if time.Since(held) < malformedHeld {
			return fmt.Errorf("%s so far", time.Since(held).Round(time.Second))
		}
		return nil
	})
	if err := p.up(); err != nil {
		t.Errorf("while strata-apiserver cannot read an object: %v", err)
	}

	body := filepath.Join(t.TempDir(), "unsafe-delete.json")
	writeFile(t, body, `{"kind":"DeleteOptions","apiVersion":"v1","ignoreStoreReadErrorWithClusterBreakingPotential":true}`)
	kubectl(ctx, t, "delete", "--raw", "/apis/crd.antrea.io/v1beta1/clusternetworkpolicies/e2e-broken", "-f", body)
	eventually(ctx, t, settleTimeout, "strata-apiserver to be ready again", func(ctx context.Context) error {
		out, err := strataReadyz(ctx)
		if err != nil {
			return fmt.Errorf("%v:\n%s", err, out)
		}
		return nil
	})
	waitPolicyRealized(ctx, t, malformedPolicy, 1)
	if forbidden, _, detail := p.since(m); forbidden > 0 {
		t.Errorf("forbidden connections succeeded: %s", strings.Join(detail, "; "))
	}
}

// putMalformed writes an undecodable ClusterNetworkPolicy, e2e-broken, next to the
// test's policy in strata-apiserver's embedded etcd, and returns its key.
func putMalformed(ctx context.Context, t *testing.T) string {
	t.Helper()
	return putStored(ctx, t, malformedPolicy, "e2e-broken", "{this is not an object")
}

// strataReadyz is strata-apiserver's /readyz?verbose; an error unless it is ready.
func strataReadyz(ctx context.Context) (string, error) {
	ca, err := os.ReadFile(filepath.Join(lc.Dir, "pki", "ca.crt"))
	if err != nil {
		return "", err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("https://127.0.0.1:%d/readyz?verbose", lc.StrataPort()), nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("/readyz: %s", resp.Status)
	}
	return string(body), nil
}

func podUIDIn(t *testing.T, ns, name string) string {
	t.Helper()
	out, err := framework.Kubectl(context.Background(), lc.Kubeconfig, "get", "pod", "-n", ns, name, "-o", "jsonpath={.metadata.uid}")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}
