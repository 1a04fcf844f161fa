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

package ha

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

var leaseGVR = schema.GroupVersionResource{Group: "coordination.k8s.io", Version: "v1", Resource: "leases"}

const (
	statusLease = "strata-apiserver-status"
	// statusMember is the etcd member the etcd fault kills.
	statusMember = 2
	// apiAnswerWithin is how soon after each kill the API must answer.
	apiAnswerWithin = 5 * time.Second
)

// event is one kill or restart of a component: which process went, when, and
// (once known) how soon after it the API answered.
type event struct {
	component string
	pid       int
	at        time.Time
	answered  chan answer
}

// answer is how soon after an event the API answered, or why it did not in time.
type answer struct {
	after time.Duration
	err   error
}

// newEvent records that component (pid) just went down and starts measuring how
// soon the API answers.
func newEvent(ctx context.Context, c dynamic.Interface, component string, pid int) event {
	ev := event{component: component, pid: pid, at: time.Now(), answered: make(chan answer, 1)}
	go func() {
		d, err := apiAnswers(ctx, c, ev.at, 2*apiAnswerWithin)
		ev.answered <- answer{after: d, err: err}
	}()
	return ev
}

// haFault is one step of the failover suite: inject kills or restarts components
// and returns the events (one per process taken down), once every one is back.
type haFault struct {
	name   string
	inject func(ctx context.Context, t *testing.T, c dynamic.Interface) []event
}

func replicaName(r int) string { return fmt.Sprintf("strata-apiserver-%d", r) }

// holder is the replica (1..replicas) holding the status Lease: its holderIdentity
// is logged by that replica when it starts leading.
func holder(ctx context.Context, t *testing.T, c dynamic.Interface) int {
	t.Helper()
	var who int
	eventually(ctx, t, settleTimeout, "a replica to hold Lease kube-system/"+statusLease, func(ctx context.Context) error {
		lease, err := c.Resource(leaseGVR).Namespace("kube-system").Get(ctx, statusLease, metav1.GetOptions{})
		if err != nil {
			return err
		}
		id, _, _ := unstructured.NestedString(lease.Object, "spec", "holderIdentity")
		if id == "" {
			return fmt.Errorf("the Lease has no holder")
		}
		for r := 1; r <= replicas; r++ {
			log, err := os.ReadFile(filepath.Join(lc.Dir, "logs", replicaName(r)+".log"))
			if err == nil && strings.Contains(string(log), "Leading") && strings.Contains(string(log), id) {
				who = r
				return nil
			}
		}
		return fmt.Errorf("no replica's log names the holder %q as leading", id)
	})
	return who
}

// signalReplica sends sig to replica r and waits until its supervisor started it
// again and it is ready.
func signalReplica(ctx context.Context, t *testing.T, c dynamic.Interface, r int, sig syscall.Signal) event {
	t.Helper()
	name := replicaName(r)
	pid, err := lc.ComponentPID(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatalf("signal %v to %s (pid %d): %v", sig, name, pid, err)
	}
	ev := newEvent(ctx, c, name, pid)
	t.Logf("%s: %s (pid %d) sent %v", ev.at.Format("15:04:05.000"), name, pid, sig)
	componentRestarted(ctx, t, name, pid, func(ctx context.Context) error {
		return readyz(ctx, fmt.Sprintf("https://127.0.0.1:%d/readyz", lc.ReplicaPort(r)), nil)
	})
	return ev
}

// killEtcdMember kills -9 member m of strata's etcd cluster; its supervisor starts it
// again on its data, and it rejoins the cluster.
func killEtcdMember(ctx context.Context, t *testing.T, c dynamic.Interface, m int) event {
	t.Helper()
	name := fmt.Sprintf("strata-etcd-%d", m)
	pid, err := lc.KillComponent(name)
	if err != nil {
		t.Fatal(err)
	}
	ev := newEvent(ctx, c, name, pid)
	t.Logf("%s: %s (pid %d) killed", ev.at.Format("15:04:05.000"), name, pid)
	cert, err := tls.LoadX509KeyPair(filepath.Join(lc.Dir, "pki", "strata-etcd-client.crt"), filepath.Join(lc.Dir, "pki", "strata-etcd-client.key"))
	if err != nil {
		t.Fatalf("etcd client certificate: %v", err)
	}
	componentRestarted(ctx, t, name, pid, func(ctx context.Context) error {
		return readyz(ctx, fmt.Sprintf("https://127.0.0.1:%d/health", lc.EtcdClientPort(m)), &cert)
	})
	return ev
}

// readyz GETs url over TLS (the cluster's CAs; cert, when set, as the client) and
// wants 200.
func readyz(ctx context.Context, url string, cert *tls.Certificate) error {
	pool := x509.NewCertPool()
	for _, ca := range []string{"ca.crt", "etcd-ca.crt"} {
		pem, err := os.ReadFile(filepath.Join(lc.Dir, "pki", ca))
		if err != nil {
			return err
		}
		pool.AppendCertsFromPEM(pem)
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return nil
}

// haFaults is TestFailover's fault sequence: kill -9 the status writer; kill -9 the other
// replica; kill -9 an etcd member and let it come back; restart every replica in
// turn (SIGTERM, as a rolling update does).
func haFaults() []haFault {
	var first int
	return []haFault{
		{name: "kill -9 the status-writing replica", inject: func(ctx context.Context, t *testing.T, c dynamic.Interface) []event {
			first = holder(ctx, t, c)
			return []event{signalReplica(ctx, t, c, first, syscall.SIGKILL)}
		}},
		{name: "kill -9 the other replica", inject: func(ctx context.Context, t *testing.T, c dynamic.Interface) []event {
			return []event{signalReplica(ctx, t, c, replicas+1-first, syscall.SIGKILL)}
		}},
		{name: fmt.Sprintf("kill -9 etcd member %d, then it comes back", statusMember), inject: func(ctx context.Context, t *testing.T, c dynamic.Interface) []event {
			return []event{killEtcdMember(ctx, t, c, statusMember)}
		}},
		{name: "rolling restart of the replicas", inject: func(ctx context.Context, t *testing.T, c dynamic.Interface) []event {
			var evs []event
			for r := 1; r <= replicas; r++ {
				evs = append(evs, signalReplica(ctx, t, c, r, syscall.SIGTERM))
			}
			return evs
		}},
	}
}
