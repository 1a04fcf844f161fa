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

// Package artifacts holds no code: its test checks the manifests offline (the
// local-cluster e2e also validates them against a real kube-apiserver).
package artifacts

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/strata-net/strata/nodeagent/app"
)

// decodeDir strictly decodes every document of every YAML file of a directory.
func decodeDir(t *testing.T, dir string) []runtime.Object {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	return decodeFiles(t, files...)
}

// decodeFiles strictly decodes every document of YAML files.
func decodeFiles(t *testing.T, files ...string) []runtime.Object {
	t.Helper()
	decoder := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	var objs []runtime.Object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if len(bytes.TrimSpace(stripComments(doc))) == 0 {
				continue
			}
			obj, _, err := decoder.Decode(doc, nil, nil)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			objs = append(objs, obj)
		}
	}
	return objs
}

// stripComments drops the comment lines of a YAML document.
func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// agentObjects are the objects of artifacts/agent, one of each kind.
type agentObjects struct {
	ds      *appsv1.DaemonSet
	sa      *corev1.ServiceAccount
	role    *rbacv1.ClusterRole
	binding *rbacv1.ClusterRoleBinding
	// delegator binds system:auth-delegator: the agent server's TokenReviews and
	// SubjectAccessReviews.
	delegator *rbacv1.ClusterRoleBinding
}

func loadAgent(t *testing.T) agentObjects {
	t.Helper()
	var a agentObjects
	for _, o := range decodeDir(t, "agent") {
		switch o := o.(type) {
		case *appsv1.DaemonSet:
			a.ds = o
		case *corev1.ServiceAccount:
			a.sa = o
		case *rbacv1.ClusterRole:
			a.role = o
		case *rbacv1.ClusterRoleBinding:
			if o.RoleRef.Name == "system:auth-delegator" {
				a.delegator = o
			} else {
				a.binding = o
			}
		default:
			t.Fatalf("unexpected %T in artifacts/agent", o)
		}
	}
	if a.ds == nil || a.sa == nil || a.role == nil || a.binding == nil || a.delegator == nil {
		t.Fatalf("artifacts/agent lacks a DaemonSet, ServiceAccount, ClusterRole or ClusterRoleBinding (its own, system:auth-delegator): %+v", a)
	}
	return a
}

func TestAgentDaemonSet(t *testing.T) {
	a := loadAgent(t)
	spec := a.ds.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers, want the agent's", len(spec.Containers))
	}
	c := spec.Containers[0]
	mounts := map[string]string{} // volume -> mount path
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	hostPaths := map[string]string{} // host path -> mount path
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			hostPaths[v.HostPath.Path] = mounts[v.Name]
		}
	}
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"in kube-system", a.ds.Namespace == "kube-system" && a.sa.Namespace == "kube-system"},
		{"runs as the ServiceAccount", spec.ServiceAccountName == a.sa.Name},
		{"host network", spec.HostNetwork && spec.DNSPolicy == corev1.DNSClusterFirstWithHostNet},
		{"privileged", c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged},
		{"NODE_NAME from the downward API", slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool {
			return e.Name == "NODE_NAME" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "spec.nodeName"
		})},
		{"on every Node", slices.ContainsFunc(spec.Tolerations, func(t corev1.Toleration) bool {
			return t.Operator == corev1.TolerationOpExists && t.Key == ""
		})},
		{"selector matches the Pods", a.ds.Spec.Selector != nil && isSubset(a.ds.Spec.Selector.MatchLabels, a.ds.Spec.Template.Labels)},
		{"runs strata-agent", slices.Equal(c.Command, []string{"strata-agent"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Fatalf("the DaemonSet is not %s", tc.name)
			}
		})
	}
	for _, path := range []string{"/var/run/openvswitch", "/var/run/strata", "/var/lib/strata", "/var/log/strata", "/opt/cni/bin", "/etc/cni/net.d", "/var/lib/cni"} {
		t.Run("mounts "+path, func(t *testing.T) {
			if hostPaths[path] != path {
				t.Fatalf("host path %s is mounted at %q, want the same path", path, hostPaths[path])
			}
		})
	}
	for name := range mounts {
		if !slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == name }) {
			t.Errorf("mount of the undefined volume %q", name)
		}
	}
}

// TestAgentServer checks that the DaemonSet probes the agent server's /healthz
// and /readyz over HTTPS on --secure-port, and that the agent may delegate its
// authentication and authorization to kube-apiserver.
func TestAgentServer(t *testing.T) {
	a := loadAgent(t)
	c := a.ds.Spec.Template.Spec.Containers[0]
	cmd := app.NewCommand()
	if err := cmd.ParseFlags(c.Args); err != nil {
		t.Fatal(err)
	}
	port, err := cmd.Flags().GetInt("secure-port")
	if err != nil {
		t.Fatal(err)
	}
	if port == 0 {
		t.Fatal("--secure-port=0 turns the agent server off")
	}
	for _, tc := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{
		{"liveness", c.LivenessProbe, "/healthz"},
		{"readiness", c.ReadinessProbe, "/readyz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.probe == nil || tc.probe.HTTPGet == nil {
				t.Fatalf("no %s httpGet probe", tc.name)
			}
			g := tc.probe.HTTPGet
			if g.Path != tc.path || g.Scheme != corev1.URISchemeHTTPS || g.Port.IntValue() != port {
				t.Fatalf("%s probe %s %s:%s, want HTTPS %s on --secure-port %d", tc.name, g.Scheme, g.Path, g.Port.String(), tc.path, port)
			}
		})
	}
	if !slices.ContainsFunc(a.delegator.Subjects, func(s rbacv1.Subject) bool {
		return s.Kind == rbacv1.ServiceAccountKind && s.Name == a.sa.Name && s.Namespace == a.sa.Namespace
	}) || a.delegator.RoleRef.Kind != "ClusterRole" {
		t.Fatalf("system:auth-delegator is not bound to ServiceAccount %s/%s: %+v", a.sa.Namespace, a.sa.Name, a.delegator)
	}
}

// TestAgentStateDirPersists checks that the agent saves its policies on the node's
// disk (a hostPath outside /var/run and /run, which are tmpfs on most nodes): a
// rebooted node enforces them before strata-apiserver answers.
func TestAgentStateDirPersists(t *testing.T) {
	a := loadAgent(t)
	cmd := app.NewCommand()
	if err := cmd.ParseFlags(a.ds.Spec.Template.Spec.Containers[0].Args); err != nil {
		t.Fatal(err)
	}
	dir, err := cmd.Flags().GetString("state-dir")
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(dir, "/var/run/") || strings.HasPrefix(dir, "/run/") || dir == "/var/run" || dir == "/run" {
		t.Fatalf("--state-dir=%s is on a tmpfs on most nodes: the saved policies would not survive a reboot", dir)
	}
}

// TestAgentArgs parses the container's arguments with strata-agent's own flag
// set: every flag exists and every value is valid.
func TestAgentArgs(t *testing.T) {
	a := loadAgent(t)
	args := a.ds.Spec.Template.Spec.Containers[0].Args
	cmd := app.NewCommand()
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatalf("strata-agent %v: %v", args, err)
	}
	if _, err := os.Stat(filepath.Join("..", "cmd", "strata-agent")); err != nil {
		t.Fatalf("the DaemonSet runs strata-agent: %v", err)
	}
}

// TestAgentRBAC checks what the agent's ServiceAccount may and may not do.
func TestAgentRBAC(t *testing.T) {
	a := loadAgent(t)
	if a.binding.RoleRef.Kind != "ClusterRole" || a.binding.RoleRef.Name != a.role.Name ||
		!slices.ContainsFunc(a.binding.Subjects, func(s rbacv1.Subject) bool {
			return s.Kind == rbacv1.ServiceAccountKind && s.Name == a.sa.Name && s.Namespace == a.sa.Namespace
		}) {
		t.Fatalf("the ClusterRoleBinding does not bind %s to ServiceAccount %s/%s: %+v", a.role.Name, a.sa.Namespace, a.sa.Name, a.binding)
	}
	const cp = "controlplane.antrea.io"
	for _, tc := range []struct {
		name                  string
		group, resource, verb string
		want                  bool
	}{
		{"watch NetworkPolicies", cp, "networkpolicies", "watch", true},
		{"watch AddressGroups", cp, "addressgroups", "watch", true},
		{"watch AppliedToGroups", cp, "appliedtogroups", "watch", true},
		{"report status", cp, "networkpolicies/status", "create", true},
		{"hold a starting Pod", cp, "podstartups", "create", true},
		{"report what its Node installed", cp, "nodesyncreports", "create", true},
		{"get its Node", "", "nodes", "get", true},
		{"watch Nodes", "", "nodes", "watch", true},
		{"list Pods for the CNI reconcile", "", "pods", "list", true},
		{"no Pod writes", "", "pods", "delete", false},
		{"no NetworkPolicy writes", cp, "networkpolicies", "create", false},
		{"no Node writes", "", "nodes", "update", false},
		{"no Secrets", "", "secrets", "get", false},
		{"no policy CRDs writes", "crd.antrea.io", "clusternetworkpolicies", "update", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := allows(a.role.Rules, tc.group, tc.resource, tc.verb); got != tc.want {
				t.Fatalf("%s %s.%s allowed: %v, want %v", tc.verb, tc.resource, tc.group, got, tc.want)
			}
		})
	}
}

// allows tells whether a rule grants verb on group/resource.
func allows(rules []rbacv1.PolicyRule, group, resource, verb string) bool {
	has := func(list []string, v string) bool { return slices.Contains(list, v) || slices.Contains(list, "*") }
	for _, r := range rules {
		if has(r.APIGroups, group) && has(r.Resources, resource) && has(r.Verbs, verb) {
			return true
		}
	}
	return false
}

func isSubset(sub, of map[string]string) bool {
	for k, v := range sub {
		if of[k] != v {
			return false
		}
	}
	return len(sub) > 0
}
