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
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	faultsNamespace = "e2e-faults"
	faultsPolicy    = "e2e-faults-drop"
	// allowedBackWithin is how soon after a component returns the allowed
	// connections must work again.
	allowedBackWithin = 5 * time.Second
	// etcdStopped is how long etcd stays stopped (SIGSTOP) in its fault.
	etcdStopped = 30 * time.Second
)

// faultsPods: servers on both nodes, and on both nodes a client that policy
// forbids (app=fc-client) and one it allows (app=ok-client).
func faultsPods() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", faultsNamespace)
	for node := 1; node <= 2; node++ {
		for _, name := range []string{"srv", "fc-client", "ok-client"} {
			b.WriteString("---\n" + faultsPod(fmt.Sprintf("%s-%d", name, node)))
		}
	}
	return b.String()
}

// faultsPod is the manifest of one of the suite's Pods, by name: srv-K, fc-client-K
// or ok-client-K, on node K.
func faultsPod(name string) string {
	var app, args string
	var node int
	switch {
	case strings.HasPrefix(name, "srv-"):
		app, args = "fc-server", "netexec, --http-port=80"
	case strings.HasPrefix(name, "fc-client-"):
		app, args = "fc-client", "pause"
	default:
		app, args = "ok-client", "pause"
	}
	fmt.Sscanf(name[strings.LastIndex(name, "-")+1:], "%d", &node)
	return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s, labels: {app: %s}}
spec:
  nodeName: worker%d
  containers:
  - name: c
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    command: [/agnhost]
    args: [%s]
`, name, faultsNamespace, app, node, args)
}

// recreatePod is the fault "a forbidden client Pod is deleted and created again":
// its new incarnation starts through the Pod start-up barrier, and the prober
// goes on from its new network namespace once it is Ready.
func recreatePod(p *prober, name string, node int) fault {
	return fault{
		name: "delete and recreate " + name,
		inject: func(ctx context.Context, t *testing.T) {
			src := sourceOf(t, p, name)
			src.retire() // its processes go with the Pod
			kubectl(ctx, t, "delete", "pod", "-n", faultsNamespace, name, "--wait=true", "--timeout=90s")
			file := filepath.Join(t.TempDir(), name+".yaml")
			writeFile(t, file, faultsPod(name))
			kubectl(ctx, t, "apply", "-f", file)
			eventually(ctx, t, settleTimeout, name+" to be Ready again", func(ctx context.Context) error {
				_, err := framework.ReadyPods(ctx, lc.Kubeconfig, faultsNamespace, 6)
				return err
			})
			netns := podNetNS(t, node, podUID(t, name))
			t.Logf("%s Ready again at %s; probing from %s", name, time.Now().Format("15:04:05.000"), netns)
			src.use(netns)
		},
	}
}

// faultsACNP drops ingress to the servers from app=fc-client. Variant 1 adds a rule
// (on a port nobody probes): toggling between the two is a policy update that
// changes nothing the prober sees.
func faultsACNP(variant int) string {
	extra := ""
	if variant == 1 {
		extra = `
  - action: Drop
    name: drop-ok-81
    from:
    - podSelector: {matchLabels: {app: ok-client}}
    ports: [{protocol: TCP, port: 81}]`
	}
	return fmt.Sprintf(`apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: %s}
spec:
  priority: 5
  tier: securityops
  appliedTo:
  - podSelector: {matchLabels: {app: fc-server}}
    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %s}}
  ingress:
  - action: Drop
    name: drop-fc-clients
    from:
    - podSelector: {matchLabels: {app: fc-client}}
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %s}}
    ports: [{protocol: TCP, port: 80}]%s
`, faultsPolicy, faultsNamespace, faultsNamespace, extra)
}

// fault is one failure: inject makes it happen and returns once the component
// is back (for a crash: its supervisor started it again and it answers).
type fault struct {
	name   string
	inject func(ctx context.Context, t *testing.T)
	// check, when set, runs once the fault is over and the policy update realized.
	check func(t *testing.T)
}

// TestFaults keeps probing, every 200 ms, connections that policy forbids (Drop)
// and connections it allows, on the same node and across nodes, while each
// component in turn fails and comes back, with a policy update during each
// failure. No forbidden connection may succeed during the whole run; the allowed
// ones must be back within 5 s of the component's return; no API object is lost.
func TestFaults(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		if t.Failed() {
			if dir, err := lc.KeepLogs("faults"); err == nil {
				t.Logf("the cluster's logs are kept in %s", dir)
			}
		}
	})
	pairs := applyFaultsObjects(ctx, t)
	before := policyNames(ctx, t)
	p := startProber(ctx, pairs)
	defer p.stop()
	eventually(ctx, t, settleTimeout, "the allowed connections to work", func(context.Context) error { return p.up() })
	baseline := p.mark()
	eventually(ctx, t, 10*time.Second, "two seconds of probing", func(context.Context) error {
		if time.Since(baseline.at) < 2*time.Second {
			return fmt.Errorf("probed for %s", time.Since(baseline.at))
		}
		return nil
	})
	if forbidden, _, detail := p.since(baseline); forbidden > 0 {
		t.Fatalf("before any fault, forbidden connections succeeded: %s", strings.Join(detail, "; "))
	}

	variant := 0
	var report []string
	total := 0
	for _, f := range faultList(p) {
		variant = 1 - variant
		m := p.mark()
		updated := updatePolicyDuring(ctx, t, variant)
		f.inject(ctx, t)
		backIn := allowedBack(ctx, t, p, f.name)
		select {
		case err := <-updated:
			if err != nil {
				t.Errorf("%s: %v", f.name, err)
			}
		case <-time.After(settleTimeout):
			t.Fatalf("%s: the policy update was not applied within %s", f.name, settleTimeout)
		}
		waitRealized(ctx, t)
		if f.check != nil {
			f.check(t)
		}
		forbidden, longest, detail := p.since(m)
		total += forbidden
		report = append(report, fmt.Sprintf("%-34s forbidden successes %d, longest allowed outage %d ms, allowed back %d ms after the component returned",
			f.name, forbidden, longest.Milliseconds(), backIn.Milliseconds()))
		if forbidden > 0 {
			t.Errorf("%s: forbidden connections succeeded: %s", f.name, strings.Join(detail, "; "))
			logIngressFlows(t)
		}
		if backIn > allowedBackWithin {
			t.Errorf("%s: the allowed connections came back %s after the component returned, want within %s (%s)",
				f.name, backIn, allowedBackWithin, strings.Join(detail, "; "))
		}
	}
	t.Logf("fault suite (probe every %s, %d pairs):\n%s\ntotal forbidden successes: %d", probeInterval, len(p.pairs), strings.Join(report, "\n"), total)
	if after := policyNames(ctx, t); !slices.Equal(before, after) {
		t.Errorf("API objects changed across the faults:\nbefore %v\nafter  %v", before, after)
	}
}

// sourceOf is the prober's source of the Pod name.
func sourceOf(t *testing.T, p *prober, name string) *source {
	t.Helper()
	for _, pair := range p.pairs {
		if pair.srcName == name {
			return pair.src
		}
	}
	t.Fatalf("the prober connects from no Pod named %s", name)
	return nil
}

// logIngressFlows logs both nodes' Antrea-native ingress rule flows (table 11).
func logIngressFlows(t *testing.T) {
	for node := 1; node <= 2; node++ {
		mgmt := filepath.Join(lc.NodeDir(node), "run", "br-int.mgmt")
		out, err := exec.Command("ovs-ofctl", "-O", "OpenFlow15", "dump-flows", "unix:"+mgmt, "table=11").CombinedOutput()
		t.Logf("worker%d table 11 at %s (%v):\n%s", node, time.Now().Format("15:04:05.000"), err, out)
	}
}

// allowedBack waits until every allowed pair's last attempt succeeded, and says
// how long that took.
func allowedBack(ctx context.Context, t *testing.T, p *prober, fault string) time.Duration {
	t.Helper()
	back := time.Now()
	eventually(ctx, t, settleTimeout, "the allowed connections after "+fault, func(context.Context) error { return p.up() })
	return time.Since(back)
}

func faultList(p *prober) []fault {
	return []fault{
		{name: "kill -9 strata-apiserver", inject: crashComponent("strata-apiserver", strataAnswers)},
		// A new Pod right after strata-apiserver restarted, the agents still
		// running: their acknowledgements must follow the new server's numbering.
		recreatePod(p, "fc-client-1", 1),
		{name: "kill -9 kube-apiserver", inject: crashComponent("kube-apiserver", kubeAnswers)},
		{name: "etcd stopped for 30 s", inject: stopComponent("etcd", etcdStopped, kubeAnswers)},
		{name: "kill -9 strata-agent on worker1", inject: crashComponent("strata-agent-worker1", nil)},
		{name: "kill -9 strata-agent on worker2", inject: crashComponent("strata-agent-worker2", nil)},
		crashOVS(1, "ovs-vswitchd"),
		crashOVS(2, "ovs-vswitchd"),
		crashOVS(1, "ovsdb-server"),
		crashOVS(2, "ovsdb-server"),
		recreatePod(p, "fc-client-2", 2),
	}
}

// crashComponent kills a supervised component with SIGKILL and waits for its
// supervisor's new process, then for answers (when set).
func crashComponent(name string, answers func(ctx context.Context) error) func(context.Context, *testing.T) {
	return func(ctx context.Context, t *testing.T) {
		pid := componentPID(t, name)
		if pid == 0 {
			t.Fatalf("%s is not running", name)
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill -9 %d (%s): %v", pid, name, err)
		}
		eventually(ctx, t, settleTimeout, "a new "+name+" process", func(context.Context) error {
			if p := componentPID(t, name); p == pid || p == 0 {
				return fmt.Errorf("run/%s.pid names %d", name, p)
			}
			return nil
		})
		if answers != nil {
			eventually(ctx, t, settleTimeout, name+" to answer", answers)
		}
	}
}

// stopComponent freezes a component (SIGSTOP) for d, then lets it go on.
func stopComponent(name string, d time.Duration, answers func(ctx context.Context) error) func(context.Context, *testing.T) {
	return func(ctx context.Context, t *testing.T) {
		pid := componentPID(t, name)
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatalf("kill -STOP %d (%s): %v", pid, name, err)
		}
		stopped := time.Now()
		defer func() { _ = syscall.Kill(pid, syscall.SIGCONT) }()
		eventually(ctx, t, d+time.Minute, fmt.Sprintf("%s stopped for %s", name, d), func(context.Context) error {
			if time.Since(stopped) < d {
				return fmt.Errorf("stopped for %s", time.Since(stopped).Round(time.Second))
			}
			return nil
		})
		if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
			t.Fatalf("kill -CONT %d (%s): %v", pid, name, err)
		}
		eventually(ctx, t, settleTimeout, name+" to answer again", answers)
	}
}

// crashOVS is the fault "node's daemon crashes and is started again"
// (hack/local-cluster.sh crash-ovs). The node's agent rides it out: the same
// process runs before and after, and it realized the policy update meanwhile.
func crashOVS(node int, daemon string) fault {
	agent := fmt.Sprintf("strata-agent-worker%d", node)
	var pid int
	return fault{
		name: fmt.Sprintf("crash %s on worker%d", daemon, node),
		inject: func(ctx context.Context, t *testing.T) {
			pid = componentPID(t, agent)
			out, err := lc.Script(ctx, "crash-ovs", "--dir", lc.Dir, "--node", strconv.Itoa(node), "--daemon", daemon)
			if err != nil {
				t.Fatalf("crash-ovs --node %d --daemon %s: %v\n%s", node, daemon, err, out)
			}
			t.Log(strings.TrimSpace(out))
		},
		check: func(t *testing.T) {
			if now := componentPID(t, agent); now != pid {
				t.Errorf("%s was pid %d before %s restarted, now %d: it exited", agent, pid, daemon, now)
			}
		},
	}
}

func strataAnswers(ctx context.Context) error {
	_, err := kubectlOut(ctx, "get", "tiers")
	return err
}

func kubeAnswers(ctx context.Context) error {
	_, err := kubectlOut(ctx, "get", "--raw", "/readyz")
	return err
}

// componentPID is a supervised component's PID (run/NAME.pid: "PID STARTTIME"); 0
// while it is being restarted.
func componentPID(t *testing.T, name string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(lc.Dir, "run", name+".pid"))
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(data))
	if len(fields) != 2 {
		return 0
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil {
		t.Fatalf("run/%s.pid: %q", name, data)
	}
	return pid
}

// applyFaultsObjects creates the Pods, checks that every probed connection works
// without the policy (so that a Drop is what stops the forbidden ones), then
// applies the policy and waits until it is Realized. Everything is deleted when
// the test ends.
func applyFaultsObjects(ctx context.Context, t *testing.T) []probePair {
	t.Helper()
	dir := t.TempDir()
	podsFile, policyFile := filepath.Join(dir, "pods.yaml"), filepath.Join(dir, "policy.yaml")
	writeFile(t, podsFile, faultsPods())
	writeFile(t, policyFile, faultsACNP(0))
	deleteOnCleanup(t, policyFile, podsFile)
	kubectl(ctx, t, "apply", "-f", podsFile)
	var pods []framework.Pod
	eventually(ctx, t, settleTimeout, "the fault suite's 6 Pods to be Ready", func(ctx context.Context) error {
		var err error
		pods, err = framework.ReadyPods(ctx, lc.Kubeconfig, faultsNamespace, 6)
		return err
	})
	pairs := faultsPairs(t, pods)
	for _, pair := range pairs {
		eventually(ctx, t, settleTimeout, pair.name+" to connect before the policy", func(context.Context) error {
			netns, ctx := pair.src.current()
			return dialFrom(ctx, netns, pair.addr)
		})
	}
	kubectl(ctx, t, "apply", "-f", policyFile)
	waitRealized(ctx, t)
	return pairs
}

// faultsPairs: each client to the server on its own node and on the other one.
func faultsPairs(t *testing.T, pods []framework.Pod) []probePair {
	t.Helper()
	byName := map[string]framework.Pod{}
	for _, p := range pods {
		byName[p.Name] = p
	}
	var pairs []probePair
	for src := 1; src <= 2; src++ {
		for _, client := range []string{"fc-client", "ok-client"} {
			from := byName[fmt.Sprintf("%s-%d", client, src)]
			netns := newSource(podNetNS(t, src, podUID(t, from.Name)))
			for dst := 1; dst <= 2; dst++ {
				to := byName[fmt.Sprintf("srv-%d", dst)]
				where := "same node"
				if src != dst {
					where = "across nodes"
				}
				pairs = append(pairs, probePair{name: fmt.Sprintf("%s -> %s (%s)", from.Name, to.Name, where),
					src: netns, srcName: from.Name, addr: to.IP + ":80", forbidden: client == "fc-client"})
			}
		}
	}
	return pairs
}

func podUID(t *testing.T, name string) string {
	t.Helper()
	return podUIDIn(t, faultsNamespace, name)
}

// updatePolicyDuring applies variant of the policy, retrying while the API is
// down (for up to settleTimeout); the result arrives on the channel.
func updatePolicyDuring(ctx context.Context, t *testing.T, variant int) chan error {
	t.Helper()
	file := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(file, []byte(faultsACNP(variant)), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		deadline := time.Now().Add(settleTimeout)
		var err error
		for time.Now().Before(deadline) && ctx.Err() == nil {
			if _, err = framework.Kubectl(ctx, lc.Kubeconfig, "apply", "-f", file); err == nil {
				done <- nil
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(pollInterval):
			}
		}
		done <- fmt.Errorf("applying the policy update for %s: %w", settleTimeout, err)
	}()
	return done
}

// waitRealized waits until the fault suite's policy is Realized on both nodes.
func waitRealized(ctx context.Context, t *testing.T) {
	t.Helper()
	waitPolicyRealized(ctx, t, faultsPolicy, 2)
}

// policyNames lists every policy object of every served resource as "name uid".
func policyNames(ctx context.Context, t *testing.T) []string {
	t.Helper()
	var out []string
	for r, objs := range snapshot(ctx, t) {
		for _, o := range objs {
			f := strings.Fields(o)
			out = append(out, r+" "+f[0]+" "+f[1])
		}
	}
	slices.Sort(out)
	return out
}
