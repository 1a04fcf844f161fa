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

package vnode

import (
	"context"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestResolveEnv(t *testing.T) {
	yes := true
	field := func(path string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: path}}
	}
	cmKey := func(name, key string, optional *bool) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key, Optional: optional}}
	}
	tests := []struct {
		name    string
		c       corev1.Container
		want    []corev1.EnvVar
		wantErr string
	}{
		{name: "literal values kept", c: corev1.Container{Env: []corev1.EnvVar{{Name: "A", Value: "1"}}},
			want: []corev1.EnvVar{{Name: "A", Value: "1"}}},
		{name: "status fields of the network-policy-api manifests", c: corev1.Container{Env: []corev1.EnvVar{
			{Name: "HOST_IP", ValueFrom: field("status.hostIP")}, {Name: "POD_IP", ValueFrom: field("status.podIP")},
			{Name: "NODE", ValueFrom: field("spec.nodeName")}}},
			want: []corev1.EnvVar{{Name: "HOST_IP", Value: "172.30.0.11"}, {Name: "POD_IP", Value: "10.244.0.7"}, {Name: "NODE", Value: "worker1"}}},
		{name: "configMap and secret keys", c: corev1.Container{Env: []corev1.EnvVar{
			{Name: "CONF", ValueFrom: cmKey("coredns", "other", nil)},
			{Name: "USER", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}, Key: "user"}}}}},
			want: []corev1.EnvVar{{Name: "CONF", Value: "x"}, {Name: "USER", Value: "admin"}}},
		{name: "optional key missing: not set", c: corev1.Container{Env: []corev1.EnvVar{
			{Name: "NONE", ValueFrom: cmKey("coredns", "nope", &yes)}, {Name: "GONE", ValueFrom: cmKey("absent", "k", &yes)}}}},
		{name: "envFrom with a prefix, then env", c: corev1.Container{
			EnvFrom: []corev1.EnvFromSource{{Prefix: "CM_", ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "coredns"}}}},
			Env:     []corev1.EnvVar{{Name: "A", Value: "1"}}},
			want: []corev1.EnvVar{{Name: "CM_Corefile", Value: ".:53 {\n    errors\n}\n"}, {Name: "CM_other", Value: "x"}, {Name: "A", Value: "1"}}},
		{name: "required key missing", c: corev1.Container{Name: "app", Env: []corev1.EnvVar{{Name: "X", ValueFrom: cmKey("coredns", "nope", nil)}}},
			wantErr: `container "app": env X: configmap coredns: no key "nope"`},
		{name: "required configMap missing", c: corev1.Container{Name: "app", Env: []corev1.EnvVar{{Name: "X", ValueFrom: cmKey("absent", "k", nil)}}},
			wantErr: `configmap "absent"`},
		{name: "unsupported field", c: corev1.Container{Name: "app", Env: []corev1.EnvVar{{Name: "X", ValueFrom: field("spec.hostname")}}},
			wantErr: `field path "spec.hostname" is not supported`},
	}
	w := &volumeWriter{client: fake.NewClientset(volumeObjects()...)}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := w.resolveEnv(context.Background(), volumePod(), &tc.c, "10.244.0.7", "172.30.0.11")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("resolveEnv error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("resolveEnv = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// TestEnvStatusFields runs a container of the network-policy-api manifests'
// centaur StatefulSet: `--udp-listen-addresses $(HOST_IP)` with HOST_IP from
// status.hostIP, and POD_IP from status.podIP, both in its command and its
// environment.
func TestEnvStatusFields(t *testing.T) {
	h := newHarness(t, harnessOptions{agnhost: findAgnhost(t)})
	h.p.UseClient(fake.NewClientset())
	c := shellContainer("app", `echo "$(HOST_IP) $POD_IP"; exec sleep 3600`)
	c.Env = []corev1.EnvVar{
		{Name: "HOST_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.hostIP"}}},
		{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
	}
	pod := h.waitReady(h.create(newPod("env-status", c)))
	want := h.cfg.NodeIP + " " + pod.Status.PodIP + "\n"
	if logs := h.waitLogs(pod, "app", want); logs != want {
		t.Errorf("the container printed %q within %s, want %q", logs, waitTimeout, want)
	}
}
