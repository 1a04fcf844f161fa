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
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/apis/crd/support"
	"github.com/strata-net/strata/test/e2e/framework"
)

// TestFieldsOnTraffic proves on real traffic the fields of apis/crd/support that
// the computation and the agents enforce: each case (fields_acnp_test.go,
// fields_annp_test.go, fields_groups_test.go) applies its policies to one shared
// set of Pods, waits until they are Realized at their generation on every Node of
// their span, and checks connections between the Pods and the Nodes: TCP (from a
// fixed source port when the case says so), UDP and ICMP echo, each expected to
// connect, to be dropped (a timeout) or to be rejected (a TCP reset, an ICMP
// administratively prohibited). A case's manifests with a value this version
// refuses (SCTP) are first applied and must be refused with a 422 at the field,
// nothing stored. Every case has a forbidden and an allowed outcome side by side, so
// that dropping everything (or nothing) fails it; once its policies are deleted,
// every connection it forbade connects again (which also shows it was the policy).
// Cases with enableLogging read the np.log line of the connection on the Node
// that enforced it: policy, rule name, direction, action, addresses, logLabel.
//
// The Pods (fieldsPods): Namespaces fields-a and fields-b share fields-team=red,
// fields-c has fields-team=blue; a server srv (app=srv) and a client cli (app=cli) in
// each, plus in fields-a srv-sa and cli-sa of the ServiceAccount fields-sa. Servers
// answer on TCP and UDP ports 8080-8085; the named port http is 8080 on
// fields-a/srv and 8082 on fields-a/srv-sa. Each Node listens on its InternalIP,
// TCP port 18081.
func TestFieldsOnTraffic(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	fx := setUpFields(ctx, t)
	var cases []fieldCase
	cases = append(cases, acnpFieldCases()...)
	cases = append(cases, annpFieldCases()...)
	cases = append(cases, groupFieldCases()...)
	checkFieldCases(t, cases)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { fx.run(ctx, t, tc) })
	}
}

// fieldCase is one case of TestFieldsOnTraffic.
type fieldCase struct {
	// name is the subtest's name, which apis/crd/support.Enforced names for
	// each of fields.
	name   string
	fields []string
	// manifest is applied, then deleted; a text/template where {{ip "a/cli"}}
	// is a Pod's IP ("a/cli" is Pod cli of fields-a), {{ip "node1"}} worker1's
	// InternalIP. Every ClusterNetworkPolicy and NetworkPolicy in it is waited for.
	manifest string
	// probes run at once.
	probes []probe
	logs   []npLogLine
	// refused are manifests with a value of a field the case proves that this
	// version refuses (apis/crd/support.RefusedValues): applied before manifest,
	// each must be refused.
	refused []refusedManifest
}

// refusedManifest is one object that admission must refuse with a 422 at path,
// saying that value is not supported by this Strata version.
type refusedManifest struct {
	manifest, path, value string
}

// Outcomes of a probe.
const (
	connects = "connects"
	dropped  = "dropped"  // a timeout
	rejected = "rejected" // TCP: a reset (ECONNREFUSED); UDP: ICMP administratively prohibited (EHOSTUNREACH); ICMP: that error
)

// probe is one connection and its expected outcome. conn is
// "<from>[:<source port>] -> <to>:<port>" with <port> a TCP port, "udp/N" or
// "icmp" (an echo request); <from> and <to> are Pods ("a/cli") or Nodes
// ("node1").
type probe struct {
	conn string
	want string
}

// npLogLine is an np.log line that a case expects on a Node: its policy
// reference, rule name, direction, action, addresses (Pods or Nodes, as in
// probes), destination port, protocol and logLabel.
type npLogLine struct {
	node                            int
	policy, rule, direction, action string
	src, dst, dstPort, protocol     string
	label                           string
}

// checkFieldCases: the case names are unique, and every field a case proves is
// listed as enforced naming that case (apis/crd/support.Enforced), or as unproven
// with a note naming it (for the values it does not prove); each refused manifest
// has a value support.RefusedValues lists for one of the case's fields.
func checkFieldCases(t *testing.T, cases []fieldCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		seen[tc.name] = true
		for _, path := range tc.fields {
			ref := "TestFieldsOnTraffic/" + tc.name
			if !slices.Contains(strings.Split(support.Enforced[path], ", "), ref) && !strings.Contains(support.Unproven[path], ref) {
				t.Errorf("case %s proves %s, but apis/crd/support.Enforced does not name %s for it", tc.name, path, ref)
			}
		}
		for _, r := range tc.refused {
			listed := false
			for _, path := range tc.fields {
				_, rest, _ := strings.Cut(path, ".")
				listed = listed || support.RefusedValues[path].Value == r.value && rest == indexes.ReplaceAllString(r.path, "[]")
			}
			if !listed {
				t.Errorf("case %s refuses %s %s, which apis/crd/support.RefusedValues does not list for its fields", tc.name, r.path, r.value)
			}
		}
	}
}

// indexes are the list indexes of a field's path.
var indexes = regexp.MustCompile(`\[\d+\]`)

// fieldsFixture is the shared Pods and Nodes of TestFieldsOnTraffic.
type fieldsFixture struct {
	dir       string
	endpoints map[string]*endpoint // "a/cli", "node1"
}

// endpoint is a Pod or a Node: its address and its network namespace.
type endpoint struct {
	name  string
	ip    string
	node  int
	netns string
}

const (
	fieldsNodePort = 18081
	// fieldsDropTimeout is how long a probe waits before calling its connection
	// dropped.
	fieldsDropTimeout = 2 * time.Second
	// fieldsSettle bounds how long a probe may take to show its expected outcome
	// once the policy is Realized (or deleted).
	fieldsSettle = 30 * time.Second
)

// fieldsPodSpecs are the fixture's Pods: namespace letter, name, Node, labels,
// ServiceAccount, and the named port http (servers only).
var fieldsPodSpecs = []struct {
	ns, name string
	node     int
	server   bool
	sa       string
	http     int
}{
	{"a", "srv", 1, true, "", 8080},
	{"a", "srv-sa", 2, true, "fields-sa", 8082},
	{"b", "srv", 1, true, "", 8080},
	{"c", "srv", 2, true, "", 8080},
	{"a", "cli", 2, false, "", 0},
	{"a", "cli-sa", 1, false, "fields-sa", 0},
	{"b", "cli", 2, false, "", 0},
	{"c", "cli", 1, false, "", 0},
}

func fieldsNamespace(letter string) string { return "fields-" + letter }

func fieldsPods() string {
	var b strings.Builder
	for _, n := range []struct{ letter, team, env string }{{"a", "red", "one"}, {"b", "red", "two"}, {"c", "blue", "three"}} {
		fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s, labels: {fields-team: %s, fields-env: %s}}\n---\n",
			fieldsNamespace(n.letter), n.team, n.env)
	}
	b.WriteString(`apiVersion: v1
kind: ServiceAccount
metadata: {name: fields-sa, namespace: fields-a}
---
apiVersion: v1
kind: Service
metadata: {name: cli-sa, namespace: fields-a}
spec:
  selector: {pod: cli-sa}
  ports: [{port: 80}]
`)
	for _, p := range fieldsPodSpecs {
		app, sa, container := "cli", "", "{name: c, image: registry.k8s.io/e2e-test-images/agnhost:2.53, args: [pause]}"
		if p.sa != "" {
			sa = "\n  serviceAccountName: " + p.sa
		}
		if p.server {
			// Not agnhost: the node substitute's responder answers on every
			// declared port, TCP and UDP.
			var ports []string
			for port := 8080; port <= 8085; port++ {
				name := fmt.Sprintf("p%d", port)
				if port == p.http {
					name = "http"
				}
				ports = append(ports, fmt.Sprintf("{name: %s, containerPort: %d}", name, port))
			}
			app, container = "srv", "{name: c, image: registry.k8s.io/pause:3.10, ports: ["+strings.Join(ports, ", ")+"]}"
		}
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s, labels: {app: %s, pod: %s}}
spec:
  nodeName: worker%d%s
  containers:
  - %s
`, p.name, fieldsNamespace(p.ns), app, p.name, p.node, sa, container)
	}
	return b.String()
}

// setUpFields creates the fixture's Pods and waits for them and listens on the
// Nodes; all of it goes away when the test ends.
func setUpFields(ctx context.Context, t *testing.T) *fieldsFixture {
	t.Helper()
	fx := &fieldsFixture{dir: t.TempDir(), endpoints: map[string]*endpoint{}}
	pods := filepath.Join(fx.dir, "pods.yaml")
	writeFile(t, pods, fieldsPods())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if out, err := framework.Kubectl(ctx, lc.Kubeconfig, "delete", "--ignore-not-found", "-f", pods); err != nil {
			t.Errorf("cleanup: %v\n%s", err, out)
		}
	})
	kubectl(ctx, t, "apply", "-f", pods)
	count := map[string]int{}
	for _, p := range fieldsPodSpecs {
		count[p.ns]++
	}
	for letter, n := range count {
		eventually(ctx, t, settleTimeout, "the Pods of "+fieldsNamespace(letter)+" to be Ready", func(ctx context.Context) error {
			_, err := framework.ReadyPods(ctx, lc.Kubeconfig, fieldsNamespace(letter), n)
			return err
		})
	}
	for _, p := range fieldsPodSpecs {
		ns := fieldsNamespace(p.ns)
		e := &endpoint{name: p.ns + "/" + p.name, ip: podIP(ctx, t, ns, p.name), node: p.node}
		e.netns = podNetNS(t, p.node, podUIDIn(t, ns, p.name))
		fx.endpoints[e.name] = e
	}
	for k := 1; k <= nodes; k++ {
		ip := strings.TrimSpace(kubectl(ctx, t, "get", "node", fmt.Sprintf("worker%d", k), "-o",
			`jsonpath={.status.addresses[?(@.type=="InternalIP")].address}`))
		e := &endpoint{name: fmt.Sprintf("node%d", k), ip: ip, node: k, netns: nodeNetNS(k)}
		listenInNode(t, k, fmt.Sprintf("%s:%d", ip, fieldsNodePort))
		fx.endpoints[e.name] = e
	}
	return fx
}

// run checks that a case's refused manifests are refused, applies its manifest,
// checks its probes and np.log lines, deletes it and checks that what it forbade
// connects again.
func (fx *fieldsFixture) run(ctx context.Context, t *testing.T, tc fieldCase) {
	for i, r := range tc.refused {
		fx.expectRefused(ctx, t, fmt.Sprintf("%s-refused-%d", tc.name, i), r)
	}
	manifest := fx.render(t, tc.manifest)
	file := filepath.Join(fx.dir, tc.name+".yaml")
	writeFile(t, file, manifest)
	deleted := false
	t.Cleanup(func() {
		if !deleted {
			_, _ = framework.Kubectl(context.Background(), lc.Kubeconfig, "delete", "--ignore-not-found", "-f", file)
		}
	})
	started := time.Now()
	out := kubectl(ctx, t, "apply", "-f", file, "-o", "name")
	for _, obj := range strings.Fields(out) {
		kind, name, _ := strings.Cut(obj, "/")
		switch kind {
		case "clusternetworkpolicy.crd.antrea.io":
			waitFieldPolicyRealized(ctx, t, "acnp", "", name)
		case "networkpolicy.crd.antrea.io":
			waitFieldPolicyRealized(ctx, t, "anp", namespaceOf(t, manifest, name), name)
		}
	}
	realized := time.Since(started)
	fx.expect(ctx, t, tc.probes, false)
	for _, l := range tc.logs {
		fx.expectLogLine(ctx, t, l)
	}
	checked := time.Since(started)
	kubectl(ctx, t, "delete", "-f", file)
	deleted = true
	fx.expect(ctx, t, tc.probes, true)
	t.Logf("realized in %s, outcomes checked in %s, back to connecting in %s",
		realized.Round(time.Millisecond), (checked - realized).Round(time.Millisecond), (time.Since(started) - checked).Round(time.Millisecond))
}

// expectRefused applies a manifest that admission must refuse: kubectl fails with
// the 422's cause at the field, saying the value is not supported by this Strata
// version, and nothing is stored.
func (fx *fieldsFixture) expectRefused(ctx context.Context, t *testing.T, name string, r refusedManifest) {
	t.Helper()
	file := filepath.Join(fx.dir, name+".yaml")
	writeFile(t, file, fx.render(t, r.manifest))
	t.Cleanup(func() {
		_, _ = framework.Kubectl(context.Background(), lc.Kubeconfig, "delete", "--ignore-not-found", "-f", file)
	})
	stderr := kubectlFails(ctx, t, "apply", "-f", file)
	want := r.path + ": Forbidden: " + support.Detail + ": " + r.value
	if !strings.Contains(stderr, "is invalid") || !strings.Contains(stderr, want) {
		t.Fatalf("kubectl apply of a manifest with %s %s: %q, want a 422 (invalid) saying %q", r.path, r.value, stderr, want)
	}
	if out := kubectl(ctx, t, "get", "--ignore-not-found", "-f", file, "-o", "name"); strings.TrimSpace(out) != "" {
		t.Fatalf("the refused manifest was stored: %s", out)
	}
	t.Logf("refused: %s", strings.TrimSpace(stderr))
}

// render fills in the addresses of a manifest template.
func (fx *fieldsFixture) render(t *testing.T, manifest string) string {
	t.Helper()
	tmpl, err := template.New("manifest").Funcs(template.FuncMap{"ip": func(name string) (string, error) {
		e, ok := fx.endpoints[name]
		if !ok {
			return "", fmt.Errorf("no endpoint %q", name)
		}
		return e.ip, nil
	}}).Parse(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, nil); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// namespaceOf finds the Namespace of the NetworkPolicy name in a manifest.
func namespaceOf(t *testing.T, manifest, name string) string {
	t.Helper()
	for _, doc := range strings.Split(manifest, "\n---\n") {
		if strings.Contains(doc, "kind: NetworkPolicy") && strings.Contains(doc, "name: "+name+",") {
			if _, rest, ok := strings.Cut(doc, "namespace: "); ok {
				return strings.TrimRight(strings.Fields(rest)[0], ",}")
			}
		}
	}
	t.Fatalf("no namespace for NetworkPolicy %s in\n%s", name, manifest)
	return ""
}

// waitFieldPolicyRealized waits until an ACNP ("acnp") or ANNP ("anp") is Realized at its
// generation on every Node of its span, with Realizable True.
func waitFieldPolicyRealized(ctx context.Context, t *testing.T, resource, ns, name string) {
	t.Helper()
	args := []string{"get", resource, name, "-o",
		`jsonpath={.metadata.generation} {.status.observedGeneration} {.status.phase} {.status.currentNodesRealized} {.status.desiredNodesRealized} {.status.conditions[?(@.type=="Realizable")].status}`}
	if ns != "" {
		args = append(args, "-n", ns)
	}
	eventually(ctx, t, settleTimeout, fmt.Sprintf("%s %s to be Realized at its generation", resource, name), func(ctx context.Context) error {
		out, err := kubectlOut(ctx, args...)
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		f := strings.Fields(out)
		if len(f) != 6 || f[0] != f[1] || f[2] != "Realized" || f[3] != f[4] || f[3] == "0" || f[5] != "True" {
			return fmt.Errorf("generation, observed generation, phase, nodes realized, desired, Realizable: %q", out)
		}
		return nil
	})
}

// expect runs the probes at once, each until it shows its expected outcome
// (after a deletion: until the forbidden ones connect again), and fails the test
// with every probe that did not within fieldsSettle.
func (fx *fieldsFixture) expect(ctx context.Context, t *testing.T, probes []probe, reverted bool) {
	t.Helper()
	phase := "with the policies Realized,"
	if reverted {
		phase = "after the policies were deleted,"
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for _, p := range probes {
		want := p.want
		if reverted {
			if want == connects {
				continue
			}
			want = connects
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			var first, got string
			attempts := 0
			err := wait.PollUntilContextTimeout(ctx, pollInterval, fieldsSettle, true, func(ctx context.Context) (bool, error) {
				got = fx.probe(ctx, t, p.conn)
				if attempts++; attempts == 1 {
					first = got
				}
				return got == want, nil
			})
			if err != nil {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("%s: %s, want %s", p.conn, got, want))
				mu.Unlock()
				return
			}
			if attempts > 1 {
				t.Logf("%s %s: %s at first, %s after %d attempts (%s)", phase, p.conn, first, want, attempts,
					time.Since(start).Round(time.Millisecond))
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		slices.Sort(failures)
		t.Fatalf("%s within %s:\n  %s", phase, fieldsSettle, strings.Join(failures, "\n  "))
	}
}

// probe runs one connection and returns its outcome.
func (fx *fieldsFixture) probe(ctx context.Context, t *testing.T, conn string) string {
	from, to, ok := strings.Cut(conn, " -> ")
	if !ok {
		t.Fatalf("probe %q: want <from> -> <to>:<port>", conn)
	}
	fromName, srcPortS, _ := strings.Cut(from, ":")
	toName, port, _ := strings.Cut(to, ":")
	src, dst := fx.endpoints[fromName], fx.endpoints[toName]
	if src == nil || dst == nil {
		t.Fatalf("probe %q: unknown endpoint", conn)
	}
	srcPort := 0
	if srcPortS != "" {
		var err error
		if srcPort, err = strconv.Atoi(srcPortS); err != nil {
			t.Fatalf("probe %q: source port: %v", conn, err)
		}
	}
	proto, num, found := strings.Cut(port, "/")
	if !found {
		proto, num = "tcp", port
	}
	n, err := strconv.Atoi(num)
	if port == "icmp" {
		proto, err = "icmp", nil
	}
	if err != nil {
		t.Fatalf("probe %q: port: %v", conn, err)
	}
	switch proto {
	case "tcp":
		return probeTCP(ctx, src.netns, dst.ip, n, srcPort)
	case "udp":
		return probeUDP(src.netns, dst.ip, n)
	case "icmp":
		return probeICMP(src.netns, dst.ip)
	}
	t.Fatalf("probe %q: unknown protocol %q", conn, proto)
	return ""
}

// expectLogLine waits for an np.log line on a Node.
func (fx *fieldsFixture) expectLogLine(ctx context.Context, t *testing.T, l npLogLine) {
	t.Helper()
	want := []string{l.policy, l.rule, l.direction, l.action, fx.endpoints[l.src].ip, fx.endpoints[l.dst].ip, l.dstPort, l.protocol, l.label}
	path := filepath.Join(lc.NodeDir(l.node), "log", "np.log")
	eventually(ctx, t, fieldsSettle, fmt.Sprintf("worker%d's np.log to have %v", l.node, want), func(context.Context) error {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var near []string
		for _, line := range strings.Split(string(data), "\n") {
			// date time table policy rule direction action priority pod src srcPort dst dstPort protocol length label
			f := strings.Fields(line)
			if len(f) < 16 {
				continue
			}
			got := []string{f[3], f[4], f[5], f[6], f[9], f[11], f[12], f[13], f[15]}
			if slices.Equal(got, want) {
				return nil
			}
			if f[3] == l.policy {
				near = append(near, line)
			}
		}
		return fmt.Errorf("no such line; the lines of %s: %q", l.policy, near)
	})
}
