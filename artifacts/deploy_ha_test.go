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

package artifacts

import (
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/strata-net/strata/apiserver/options"
)

// deployObjects are the objects of artifacts/deploy.
type deployObjects struct {
	deployment *appsv1.Deployment
	service    *corev1.Service
	pdb        *policyv1.PodDisruptionBudget
}

func loadDeploy(t *testing.T) deployObjects {
	t.Helper()
	var d deployObjects
	for _, o := range decodeDir(t, "deploy") {
		switch o := o.(type) {
		case *appsv1.Deployment:
			d.deployment = o
		case *corev1.Service:
			d.service = o
		case *policyv1.PodDisruptionBudget:
			d.pdb = o
		default:
			t.Fatalf("unexpected %T in artifacts/deploy", o)
		}
	}
	if d.deployment == nil || d.service == nil || d.pdb == nil {
		t.Fatalf("artifacts/deploy lacks a Deployment, Service or PodDisruptionBudget: %+v", d)
	}
	return d
}

// parseAPIServerArgs parses the container's arguments with strata-apiserver's own
// flag set, without completing them (the files they name exist only in a Pod).
func parseAPIServerArgs(t *testing.T, args []string) *options.Options {
	t.Helper()
	o := options.NewOptions()
	fs := pflag.NewFlagSet("strata-apiserver", pflag.ContinueOnError)
	for _, f := range o.Flags().FlagSets {
		fs.AddFlagSet(f)
	}
	if err := fs.Parse(args); err != nil {
		t.Fatalf("strata-apiserver %v: %v", args, err)
	}
	return o
}

// mountedSecretDir is where the container mounts the Secret secretName, "" if not.
func mountedSecretDir(spec corev1.PodSpec, secretName string) string {
	for _, v := range spec.Volumes {
		if v.Secret == nil || v.Secret.SecretName != secretName {
			continue
		}
		for _, m := range spec.Containers[0].VolumeMounts {
			if m.Name == v.Name {
				return m.MountPath
			}
		}
	}
	return ""
}

// TestAPIServerHAShape checks the production shape of artifacts/deploy: several
// replicas spread over Nodes, a PodDisruptionBudget that keeps all but one, an etcd
// cluster of three TLS members (no embedded etcd), probes, and the Service the
// APIServices name.
func TestAPIServerHAShape(t *testing.T) {
	d := loadDeploy(t)
	dep := d.deployment
	spec := dep.Spec.Template.Spec
	podLabels := labels.Set(dep.Spec.Template.Labels)
	replicas := int32(1)
	if dep.Spec.Replicas != nil {
		replicas = *dep.Spec.Replicas
	}
	o := parseAPIServerArgs(t, spec.Containers[0].Args)
	transport := o.Recommended.Etcd.StorageConfig.Transport
	etcdDir := mountedSecretDir(spec, "strata-etcd-client")
	c := spec.Containers[0]

	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"more than one replica", replicas > 1},
		{"selector matches the Pods", dep.Spec.Selector != nil && isSubset(dep.Spec.Selector.MatchLabels, dep.Spec.Template.Labels)},
		{"rolling update, one at a time", dep.Spec.Strategy.Type == appsv1.RollingUpdateDeploymentStrategyType &&
			dep.Spec.Strategy.RollingUpdate != nil && dep.Spec.Strategy.RollingUpdate.MaxUnavailable != nil &&
			dep.Spec.Strategy.RollingUpdate.MaxUnavailable.IntValue() == 1},
		{"required anti-affinity across Nodes", antiAffinityAcrossNodes(spec.Affinity, podLabels)},
		{"PodDisruptionBudget over the Pods", d.pdb.Namespace == dep.Namespace && selects(d.pdb.Spec.Selector, podLabels)},
		{"PodDisruptionBudget keeps all but one", d.pdb.Spec.MaxUnavailable != nil && d.pdb.Spec.MaxUnavailable.IntValue() == 1 &&
			d.pdb.Spec.MinAvailable == nil},
		{"external etcd, no embedded one", !o.EmbeddedEtcd()},
		{"etcd client TLS from the mounted Secret", etcdDir != "" &&
			transport.TrustedCAFile == filepath.Join(etcdDir, "ca.crt") &&
			transport.CertFile == filepath.Join(etcdDir, "tls.crt") && transport.KeyFile == filepath.Join(etcdDir, "tls.key")},
		{"readiness probe on /readyz", c.ReadinessProbe != nil && c.ReadinessProbe.HTTPGet != nil && c.ReadinessProbe.HTTPGet.Path == "/readyz"},
		{"liveness probe on /livez", c.LivenessProbe != nil && c.LivenessProbe.HTTPGet != nil && c.LivenessProbe.HTTPGet.Path == "/livez"},
		{"no volume of its own data", !slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool { return v.PersistentVolumeClaim != nil })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Fatalf("artifacts/deploy: not %s", tc.name)
			}
		})
	}
	t.Run("three etcd members over TLS", func(t *testing.T) {
		checkEtcdMembers(t, transport.ServerList)
	})
	t.Run("the Service of the APIServices", func(t *testing.T) {
		checkAPIServerService(t, d.service, dep)
	})
}

// antiAffinityAcrossNodes tells whether the Pods require a Node without another
// of them.
func antiAffinityAcrossNodes(a *corev1.Affinity, podLabels labels.Set) bool {
	if a == nil || a.PodAntiAffinity == nil {
		return false
	}
	return slices.ContainsFunc(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, func(term corev1.PodAffinityTerm) bool {
		return term.TopologyKey == corev1.LabelHostname && selects(term.LabelSelector, podLabels)
	})
}

// selects tells whether a non-empty selector matches the labels.
func selects(sel *metav1.LabelSelector, set labels.Set) bool {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(set)
}

// checkEtcdMembers wants three distinct https client URLs.
func checkEtcdMembers(t *testing.T, servers []string) {
	t.Helper()
	hosts := map[string]bool{}
	for _, s := range servers {
		for _, one := range strings.Split(s, ",") {
			u, err := url.Parse(one)
			if err != nil || u.Scheme != "https" || u.Host == "" {
				t.Errorf("--etcd-servers member %q is not an https URL: %v", one, err)
				continue
			}
			hosts[u.Host] = true
		}
	}
	if len(hosts) != 3 {
		t.Errorf("--etcd-servers %v lists %d distinct members, want the 3 of the etcd cluster", servers, len(hosts))
	}
}

// checkAPIServerService wants the Service the APIServices name
// (strata-apiserver.kube-system, port 443) selecting the Pods, to their https port.
func checkAPIServerService(t *testing.T, svc *corev1.Service, dep *appsv1.Deployment) {
	t.Helper()
	if svc.Name != "strata-apiserver" || svc.Namespace != "kube-system" {
		t.Errorf("Service %s/%s, want kube-system/strata-apiserver (artifacts/base/apiservices.yaml)", svc.Namespace, svc.Name)
	}
	if len(svc.Spec.Selector) == 0 || !isSubset(svc.Spec.Selector, dep.Spec.Template.Labels) {
		t.Errorf("Service selector %v does not select the Deployment's Pods %v", svc.Spec.Selector, dep.Spec.Template.Labels)
	}
	ports := dep.Spec.Template.Spec.Containers[0].Ports
	if !slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool {
		return p.Port == 443 && slices.ContainsFunc(ports, func(cp corev1.ContainerPort) bool { return cp.Name == p.TargetPort.String() })
	}) {
		t.Errorf("Service ports %+v: none is 443 to a named port of the container %+v", svc.Spec.Ports, ports)
	}
}
