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

package nodeagent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

// runWith starts an agent with another controlplane client until the test (or
// stop) ends.
func (n *node) runWith(t *testing.T, client versioned.Interface) (stop func()) {
	t.Helper()
	agent, err := New(n.cfg, client)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- agent.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("agent: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("the agent did not stop within 30s")
		}
	}
	t.Cleanup(stop)
	return stop
}

// flows returns the bridge's flows without their statistics, sorted.
func (n *node) flows(t *testing.T) []string {
	t.Helper()
	out, err := n.ovs.OFCtl("-O", "OpenFlow15", "--no-stats", "dump-flows", n.bridge)
	if err != nil {
		t.Fatalf("dump-flows: %v: %s", err, out)
	}
	var flows []string
	for _, line := range strings.Split(out, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "OFPST_") && !strings.HasPrefix(line, "NXST_") {
			flows = append(flows, line)
		}
	}
	sort.Strings(flows)
	return flows
}

// expectRejected fails unless a TCP connection to the port is refused at once.
func (n *node) expectRejected(t *testing.T, port int) {
	t.Helper()
	start := time.Now()
	c, err := n.dial(port, 5*time.Second)
	if err == nil {
		c.Close()
	}
	if !errors.Is(err, syscall.ECONNREFUSED) || time.Since(start) > time.Second {
		t.Fatalf("tcp/%d: %v after %s, want connection refused at once (Reject)", port, err, time.Since(start))
	}
}

// waitRejectsLogged waits until np.log holds count lines of testPolicy's logged
// Reject rule (one per refused connection: their source ports differ). The
// agent writes a Drop or Reject line a second after its first packet, also
// after Run returned; a test waits for them before its temporary directory goes.
func (n *node) waitRejectsLogged(t *testing.T, count int) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d np.log lines of RejectAdmin", count), func() error {
		if got := strings.Count(n.npLog(), "RejectAdmin Ingress Reject"); got < count {
			return fmt.Errorf("%d lines", got)
		}
		return nil
	})
}

// echo writes msg on c and reads it back.
func echo(c net.Conn, msg string) error {
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return err
	}
	buf := make([]byte, 64)
	k, err := c.Read(buf)
	if err != nil || string(buf[:k]) != msg {
		return fmt.Errorf("echo %q: %q, %v", msg, buf[:k], err)
	}
	return nil
}

// TestAgentVSwitchdRestart restarts ovs-vswitchd under a running agent with an
// Allow, Reject and Drop policy installed: OVS loses every flow, the agent's
// OpenFlow client reconnects and replays them, and within a bounded time the
// bridge holds exactly the flows it held before. Enforcement is back: the
// allowed port connects (and a connection opened before the restart carries
// data again), the rejected one is refused at once (group, meter and packet-in
// replayed), the dropped one times out.
func TestAgentVSwitchdRestart(t *testing.T) {
	n := newNode(t)
	n.setPolicy()
	n.serve(t, 8080, 9090, 7070)
	n.run(t)
	n.waitConnects(t, 8080)
	eventually(t, "a realization report", func() error {
		if len(n.cp.statusReports()) == 0 {
			return errors.New("no report yet")
		}
		return nil
	})
	conn, err := n.dial(8080, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	before := n.flows(t)

	if err := n.ovs.RestartVSwitchd(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var after []string
	err = wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 30*time.Second, true,
		func(context.Context) (bool, error) {
			after = n.flows(t)
			return len(after) == len(before), nil
		})
	if err != nil {
		t.Fatalf("waiting 30s for the %d flows to come back after the ovs-vswitchd restart: %d flows", len(before), len(after))
	}
	t.Logf("%d flows back %v after ovs-vswitchd answered", len(after), time.Since(start))
	if strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatalf("the flows after the restart differ:\nbefore:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
	n.waitConnects(t, 8080)
	if err := echo(conn, "after the restart"); err != nil {
		t.Fatalf("the connection opened before the restart: %v", err)
	}
	n.expectRejected(t, 9090)
	n.expectDropped(t, 7070)
	n.waitRejectsLogged(t, 1)
}

// TestAgentFallbackToSavedPolicies: an agent syncs and saves its policies; the
// node restarts (the agent stops, OVS loses its flows) and the new agent's
// controlplane endpoint is dead (connection refused). After the fallback
// timeout the new agent enforces the saved policies: Allow, Reject and Drop as
// before. When the endpoint comes up, serving a policy that changed meanwhile
// (Drop turned into Allow), the agent syncs: the change is enforced and the
// realization of the new generation is reported.
func TestAgentFallbackToSavedPolicies(t *testing.T) {
	n := newNode(t)
	n.setPolicy()
	n.serve(t, 8080, 9090, 7070)
	stop := n.run(t)
	n.waitConnects(t, 8080)
	saved := filepath.Join(n.cfg.policyStateDir(), "networkpolicies.json")
	eventually(t, "the policies to be saved in "+saved, func() error {
		data, err := os.ReadFile(saved)
		if err != nil || !strings.Contains(string(data), "np-uid") {
			return fmt.Errorf("%q, %v", data, err)
		}
		return nil
	})
	stop()
	if out, err := n.ovs.OFCtl("-O", "OpenFlow15", "del-flows", n.bridge); err != nil {
		t.Fatalf("del-flows: %v: %s", err, out)
	}
	if left := n.flows(t); len(left) != 0 {
		t.Fatalf("%d flows left after del-flows", len(left))
	}

	// The controlplane's address, with nothing listening yet.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	reports := len(n.cp.statusReports())
	n.runWith(t, restClient(t, addr))
	// Without policies everything is allowed: the saved ones are enforced once
	// tcp/9090 is refused, after the fallback timeout (10s).
	eventually(t, "the saved Reject of tcp/9090 to be enforced", func() error {
		c, err := n.dial(9090, time.Second)
		if err == nil {
			c.Close()
			return errors.New("tcp/9090 connected")
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return err
		}
		return nil
	})
	n.waitConnects(t, 8080)
	n.expectDropped(t, 7070)
	if got := len(n.cp.statusReports()); got != reports {
		t.Fatalf("%d status reports while the controlplane was unreachable", got-reports)
	}

	np, _, _ := testPolicy()
	np.Generation = 2
	np.Rules[2].Action = action(v1beta2.RuleActionAllow)
	n.cp.set("networkpolicies", np)
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening again on the controlplane's address: %v", err)
	}
	n.cp.serveHTTP(t, l)
	n.waitConnects(t, 7070)
	n.expectRejected(t, 9090)
	n.waitRejectsLogged(t, 2)
	eventually(t, "the realization report of generation 2", func() error {
		for _, st := range n.cp.statusReports() {
			if st.Name == "np-uid" && len(st.Nodes) == 1 && st.Nodes[0].Generation == 2 && !st.Nodes[0].RealizationFailure {
				return nil
			}
		}
		return fmt.Errorf("reports %v", n.cp.statusReports())
	})
}

// TestAgentKeepsPreviousRoundWithoutSync restarts the agent with strata-apiserver
// unreachable and no saved policies (a state directory lost with a reboot): the
// new agent has nothing complete to install, so the previous run's flows keep
// enforcing, well past SyncTimeout (which used to delete them): the Drop still
// drops and the Allow still connects.
func TestAgentKeepsPreviousRoundWithoutSync(t *testing.T) {
	n := newNode(t)
	n.setPolicy()
	n.serve(t, 8080, 7070)
	stop := n.run(t)
	n.waitConnects(t, 8080)
	eventually(t, "the first agent to record its complete round", func() error {
		out, err := n.ovs.VSCtl("get", "Bridge", n.bridge, "external_ids:roundNum")
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	})
	n.expectDropped(t, 7070)
	stop()
	if err := os.RemoveAll(n.cfg.StateDir); err != nil {
		t.Fatal(err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0") // the controlplane's address, with nothing listening
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	n.cfg.SyncTimeout = 2 * time.Second
	n.runWith(t, restClient(t, addr))
	// Three SyncTimeouts and more, with traffic all along.
	deadline := time.Now().Add(3 * n.cfg.SyncTimeout)
	for probes := 0; probes < 3 || time.Now().Before(deadline); probes++ {
		n.expectDropped(t, 7070)
		n.waitConnects(t, 8080)
	}
}

// agentRun is an agent run by a test, which can tell whether Run returned.
type agentRun struct {
	done chan struct{}
	err  error // Run's result, set before done is closed
}

// runWatched starts an agent until the test ends, like runWith, and returns a
// handle that tells whether its Run has returned meanwhile.
func (n *node) runWatched(t *testing.T, client versioned.Interface) *agentRun {
	t.Helper()
	agent, err := New(n.cfg, client)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &agentRun{done: make(chan struct{})}
	go func() {
		r.err = agent.Run(ctx)
		close(r.done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
			if r.err != nil {
				t.Errorf("agent: %v", r.err)
			}
		case <-time.After(30 * time.Second):
			t.Error("the agent did not stop within 30s")
		}
	})
	return r
}

// expectRunning fails the test if the agent's Run has returned.
func (r *agentRun) expectRunning(t *testing.T, when string) {
	t.Helper()
	select {
	case <-r.done:
		t.Fatalf("%s: the agent's Run returned (%v), want it running", when, r.err)
	default:
	}
}

// probeDialers is how many dials of probeForbidden run at once, so that a
// dial starts every half dropTimeout or so.
const probeDialers = 2

// probeForbidden dials the port from the client Pod with probeDialers
// dialers, each dialing every 100ms (a dial waits dropTimeout), until the
// returned stop is called, which reports how many dials ran and how many
// connected. Every one of them must be dropped.
func (n *node) probeForbidden(t *testing.T, port int) (stop func() (probes, passed int)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var probes, passed atomic.Int64
	var wg sync.WaitGroup
	for range probeDialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wait.UntilWithContext(ctx, func(context.Context) {
				probes.Add(1)
				if c, err := n.dial(port, dropTimeout); err == nil {
					passed.Add(1)
					c.Close()
				}
			}, 100*time.Millisecond)
		}()
	}
	stop = func() (int, int) {
		cancel()
		wg.Wait()
		return int(probes.Load()), int(passed.Load())
	}
	t.Cleanup(func() { stop() })
	return stop
}

// dialFrom connects from a Pod to the server Pod's port.
func (n *node) dialFrom(pod *ovstest.Pod, port int, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return pod.Dial(ctx, "tcp", fmt.Sprintf("10.78.0.12:%d", port))
}

// TestAgentOVSDBRestart stops ovsdb-server for a while and starts it again
// (alone, or followed by an ovs-vswitchd restart) under a running agent with
// an Allow and a Drop policy installed. The agent keeps running: its OVSDB
// client reconnects and its monitor resumes. Throughout, the dropped port
// never connects; afterwards the allowed port connects, a connection opened
// before carries data, the bridge holds the flows it held before (replayed
// after an ovs-vswitchd restart), and a Pod attached afterwards (found
// through the resumed monitor) gets its flows and the policy.
func TestAgentOVSDBRestart(t *testing.T) {
	tests := []struct {
		name string
		// up brings OVS back after ovsdb-server was stopped.
		up func(*ovstest.Instance) error
	}{
		{name: "ovsdb-server", up: (*ovstest.Instance).StartOVSDB},
		{name: "ovsdb-server then ovs-vswitchd", up: func(i *ovstest.Instance) error {
			if err := i.StartOVSDB(); err != nil {
				return err
			}
			return i.RestartVSwitchd()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t)
			n.setPolicy()
			_, _, ag := testPolicy()
			ag.GroupMembers = append(ag.GroupMembers, v1beta2.GroupMember{
				Pod: &v1beta2.PodReference{Name: "client2", Namespace: "default"},
				IPs: []v1beta2.IPAddress{v1beta2.IPAddress(net.ParseIP("10.78.0.13").To4())}})
			n.cp.set("addressgroups", ag)
			n.serve(t, 8080, 7070)
			run := n.runWatched(t, n.cp.client)
			n.waitConnects(t, 8080)
			n.expectDropped(t, 7070)
			conn, err := n.dial(8080, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			before := n.flows(t)

			stopProbes := n.probeForbidden(t, 7070)
			if err := n.ovs.StopOVSDB(); err != nil {
				t.Fatal(err)
			}
			// The agent's client retries meanwhile. (The userspace datapath
			// forwards nothing while ovs-vswitchd has lost its OVSDB lock, so
			// only the drop can be checked now.)
			n.expectDropped(t, 7070)
			run.expectRunning(t, "while ovsdb-server is down")
			if err := tc.up(n.ovs); err != nil {
				t.Fatal(err)
			}
			run.expectRunning(t, "right after the restart")
			var after []string
			err = wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 30*time.Second, true,
				func(context.Context) (bool, error) {
					after = n.flows(t)
					return strings.Join(after, "\n") == strings.Join(before, "\n"), nil
				})
			if err != nil {
				t.Fatalf("waiting 30s for the bridge to hold its flows again after the restart:\nbefore:\n%s\nafter:\n%s",
					strings.Join(before, "\n"), strings.Join(after, "\n"))
			}
			n.waitConnects(t, 8080)
			if err := echo(conn, "after the restart"); err != nil {
				t.Fatalf("the connection opened before the restart: %v", err)
			}

			// A Pod attached after the restart: the agent learns it from OVSDB.
			client2 := addPod(t, n.ovs, n.bridge, "client2", "10.78.0.13", "02:00:00:00:78:13", 13)
			eventually(t, "tcp/8080 to be allowed from client2, attached after the restart", func() error {
				c, err := n.dialFrom(client2, 8080, time.Second)
				if err == nil {
					c.Close()
				}
				return err
			})
			if c, err := n.dialFrom(client2, 7070, dropTimeout); err == nil {
				c.Close()
				t.Fatal("tcp/7070 connected from client2, want it dropped")
			}
			n.expectDropped(t, 7070)
			probes, passed := stopProbes()
			t.Logf("%d probes of tcp/7070 during and after the restart", probes)
			if passed > 0 || probes < 4 {
				t.Fatalf("%d of %d probes of tcp/7070 connected during and after the restart; want 0 of 4 or more", passed, probes)
			}
			run.expectRunning(t, "at the end")
		})
	}
}

// TestAgentOVSDBRestartBeforeSync restarts ovsdb-server under an agent still
// waiting for its first policy sync (strata-apiserver unreachable). The agent
// keeps running; when strata-apiserver comes up, it enforces the policies and
// records its round in the bridge's external_ids over the reconnected client.
func TestAgentOVSDBRestartBeforeSync(t *testing.T) {
	n := newNode(t)
	n.setPolicy()
	n.serve(t, 8080, 7070)
	l, err := net.Listen("tcp", "127.0.0.1:0") // the controlplane's address, with nothing listening
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	run := n.runWatched(t, restClient(t, addr))
	eventually(t, "the agent's base flows", func() error {
		if len(n.flows(t)) == 0 {
			return errors.New("no flows")
		}
		return nil
	})

	if err := n.ovs.RestartOVSDB(); err != nil {
		t.Fatal(err)
	}
	run.expectRunning(t, "right after the restart")
	if l, err = net.Listen("tcp", addr); err != nil {
		t.Fatalf("listening on the controlplane's address: %v", err)
	}
	n.cp.serveHTTP(t, l)
	eventually(t, "tcp/7070 to be dropped", func() error {
		c, err := n.dial(7070, dropTimeout)
		if err == nil {
			c.Close()
			return errors.New("tcp/7070 connected")
		}
		return nil
	})
	n.waitConnects(t, 8080)
	eventually(t, "the agent to record round 1 in the bridge's external_ids", func() error {
		out, err := n.ovs.VSCtl("get", "Bridge", n.bridge, "external_ids:roundNum")
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		if got := strings.Trim(strings.TrimSpace(out), `"`); got != "1" {
			return fmt.Errorf("roundNum %q", got)
		}
		return nil
	})
	run.expectRunning(t, "at the end")
}
