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

package scale

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/strata-net/strata/generated/clientset/versioned"
)

var (
	clusterDir = flag.String("strata.cluster", "", "state directory of a running local cluster without nodes (hack/local-cluster.sh up --nodes 0 --dir DIR)")
	agentCount = flag.Int("strata.nodes", 1000, "Nodes, one simulated agent each (a multiple of 10; 10 Pods and 10 policies per Node)")
	changes    = flag.Int("strata.changes", 50, "policy changes measured by BenchmarkAgentScale/policy-change")
	logDir     = flag.String("strata.logdir", "", "directory of the second replica's log (default: a temporary directory)")
	via        = flag.String("strata.via", viaDirect, "how the agents reach the replicas: "+viaDirect+" (Node i's agent to replica (i mod 2)+1, the second replica started by the benchmark) or "+viaKubeAPIServer+" (every agent through kube-apiserver's aggregation, on a cluster up with --apiserver-replicas 2 --etcd-members 3)")
)

// The values of -strata.via.
const (
	viaDirect        = "direct"
	viaKubeAPIServer = "kube-apiserver"
)

// env is the running benchmark: the cluster populated, the second replica and
// the agents started; set up by the first sub-benchmark, stopped by TestMain.
type env struct {
	cluster  *cluster
	shape    shape
	caPEM    []byte
	kube     kubernetes.Interface
	strata   versioned.Interface
	firstPID int
	urls     [2]string
	// agentURL, when set (-strata.via=kube-apiserver), is where every agent
	// connects: kube-apiserver, whose APIServices reach both of the cluster's
	// own replicas (pids) through the local cluster's proxy.
	agentURL string
	pids     [2]int
	// probeCreds are Node 0's, to ask a replica for its server epoch.
	probeCreds credentials
	second     *replica
	agents     []*simAgent
	probe      *probe
	// dead are the server epochs of the replica processes the restart phases
	// killed.
	dead map[string]bool
	stop context.CancelFunc
	done chan struct{}
}

var shared *env

func TestMain(m *testing.M) {
	flag.Parse()
	if err := quietKlog(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if shared != nil {
		shared.close()
	}
	os.Exit(code)
}

func (e *env) close() {
	if e.stop != nil {
		e.stop()
		<-e.done
	}
	if e.second != nil {
		e.second.stop()
	}
}

// setup populates the cluster, starts the second replica and the agents, and
// reports the set-up figures on b.
func setup(b *testing.B) *env {
	b.Helper()
	if shared != nil {
		return shared
	}
	if *clusterDir == "" {
		b.Fatal("-strata.cluster is required: the state directory of hack/local-cluster.sh up --nodes 0 (see doc.go)")
	}
	if *via != viaDirect && *via != viaKubeAPIServer {
		b.Fatalf("-strata.via=%q: must be %s or %s", *via, viaDirect, viaKubeAPIServer)
	}
	if *agentCount <= 0 || *agentCount%10 != 0 {
		b.Fatalf("-strata.nodes=%d: must be a positive multiple of 10", *agentCount)
	}
	e, err := newEnv(*clusterDir, shape{namespaces: *agentCount / 10, podsPerNamespace: 100, policiesPerNamespace: 100, nodesPerNamespace: 10})
	if err != nil {
		b.Fatal(err)
	}
	shared = e
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := e.applyAgentRBAC(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := e.shape.populate(ctx, e.kube, 16); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "populate-s")
	if e.agentURL == "" {
		e.startSecond(b, ctx)
	}
	start = time.Now()
	refused := e.refusals()
	if err := e.startAgents(); err != nil {
		b.Fatal(err)
	}
	if err := e.waitSynced(ctx, e.agents, nil, 20*time.Minute); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "agents-synced-s")
	b.ReportMetric(float64(e.accepted()), "agents-accepted")
	e.reportRefusals(b, refused)
	return e
}

// startSecond starts the second replica of the direct mode and reports the time
// until it is ready.
func (e *env) startSecond(b *testing.B, ctx context.Context) {
	b.Helper()
	var err error
	dir := *logDir
	if dir == "" {
		// Not b.TempDir: the setup sub-benchmark removes it when it ends, and the
		// restart phases start replica 2 again with its log there.
		if dir, err = os.MkdirTemp("", "strata-scale-"); err != nil {
			b.Fatal(err)
		}
		b.Logf("replica 2 logs to %s", dir)
	}
	if e.second, err = newReplica(e.cluster, e.firstPID, e.cluster.portBase+51, filepath.Join(dir, "strata-apiserver-2.log")); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := e.second.start(ctx, e.caPEM); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "replica2-ready-s")
	e.urls[1] = e.second.url
	e.pids[1] = e.second.cmd.Process.Pid
}

func newEnv(dir string, s shape) (*env, error) {
	c, err := openCluster(dir)
	if err != nil {
		return nil, err
	}
	e := &env{cluster: c, shape: s, probe: &probe{}, dead: map[string]bool{}}
	if e.caPEM, err = os.ReadFile(c.caFile()); err != nil {
		return nil, err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", c.kubeconfig, err)
	}
	cfg.QPS = -1
	if e.kube, err = kubernetes.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if e.strata, err = versioned.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if *via == viaKubeAPIServer {
		return e, e.openReplicas(cfg.Host)
	}
	e.firstPID, e.urls[0], err = c.firstReplica()
	e.pids[0] = e.firstPID
	return e, err
}

// openReplicas finds the cluster's two replicas (-strata.via=kube-apiserver);
// the agents connect to kube-apiserver at host.
func (e *env) openReplicas(host string) error {
	if e.cluster.replicas != 2 {
		return fmt.Errorf("-strata.via=%s needs a cluster with 2 strata-apiserver replicas (hack/local-cluster.sh up --apiserver-replicas 2 --etcd-members 3), %s has %d",
			viaKubeAPIServer, e.cluster.dir, e.cluster.replicas)
	}
	e.agentURL = host
	for r := range e.pids {
		pid, url, err := e.cluster.replica(r)
		if err != nil {
			return err
		}
		e.pids[r], e.urls[r] = pid, url
	}
	return nil
}

// applyAgentRBAC grants the agents' group its rights (artifacts/agent/rbac.yaml),
// as hack/local-cluster.sh does when it starts nodes.
func (e *env) applyAgentRBAC(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "kubectl", "--kubeconfig", e.cluster.kubeconfig, "apply", "-f",
		filepath.Join("..", "..", "..", "artifacts", "agent", "rbac.yaml")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("kubectl apply -f artifacts/agent/rbac.yaml: %w: %s", err, out)
	}
	return nil
}

// startAgents issues every Node's certificate and starts its agent on its
// replica (Node i on replica i mod 2).
func (e *env) startAgents() error {
	sig, err := newSigner(e.cluster.caFile(), e.cluster.caKeyFile())
	if err != nil {
		return err
	}
	for i := range e.shape.nodes() {
		cert, key, err := sig.agentCert(nodeName(i), int64(1_000_000+i))
		if err != nil {
			return err
		}
		if i == 0 {
			e.probeCreds = credentials{node: nodeName(i), certPEM: cert, keyPEM: key}
		}
		url := e.urls[replicaOf(i)]
		if e.agentURL != "" {
			url = e.agentURL
		}
		a, err := newSimAgent(nodeName(i), replicaOf(i), url, e.caPEM, cert, key, e.probe)
		if err != nil {
			return err
		}
		e.agents = append(e.agents, a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.stop, e.done = cancel, make(chan struct{})
	go func() {
		defer close(e.done)
		done := make(chan struct{}, len(e.agents))
		for _, a := range e.agents {
			go func() { _ = a.ctrl.Run(ctx); done <- struct{}{} }()
		}
		for range e.agents {
			<-done
		}
	}()
	return nil
}

// waitSynced waits until every agent of agents is synced away from the epochs
// in dead (nil: synced at all): for every kind, the latest sync report carrying
// it was accepted and is of another epoch (see syncRecorder.syncedAway). All of
// them then run on what live server processes sent them.
func (e *env) waitSynced(ctx context.Context, agents []*simAgent, dead map[string]bool, timeout time.Duration) error {
	pending, lastShown := 0, time.Now()
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		pending = 0
		for _, a := range agents {
			if !a.syncs.syncedAway(dead) {
				pending++
			}
		}
		if time.Since(lastShown) > 30*time.Second {
			// Progress on stderr: the benchmark's own output comes at its end.
			fmt.Fprintf(os.Stderr, "%s: %d of %d agents synced\n", time.Now().UTC().Format(time.TimeOnly), len(agents)-pending, len(agents))
			lastShown = time.Now()
		}
		return pending == 0, nil
	})
	if err != nil {
		return fmt.Errorf("waiting %s for %d agents to sync: %d have not: %w", timeout, len(agents), pending, err)
	}
	return nil
}

// accepted counts the agents synced away from every killed process's epoch.
func (e *env) accepted() int {
	n := 0
	for _, a := range e.agents {
		if a.syncs.syncedAway(e.dead) {
			n++
		}
	}
	return n
}

// percentile is the p-th percentile (0..100) of sorted durations, in ms.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return float64(sorted[i].Microseconds()) / 1000
}

func reportLatencies(b *testing.B, samples []time.Duration, prefix string) {
	slices.Sort(samples)
	b.ReportMetric(percentile(samples, 50), prefix+"p50-ms")
	b.ReportMetric(percentile(samples, 99), prefix+"p99-ms")
	b.ReportMetric(percentile(samples, 100), prefix+"max-ms")
	b.ReportMetric(float64(len(samples)), prefix+"samples")
}
