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
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// tokenRecorder answers TokenRequests of a fake clientset with "token-of-<sa>"
// and keeps the requests.
type tokenRecorder struct {
	mu   sync.Mutex
	reqs []*authenticationv1.TokenRequest
	sas  []string
}

func (r *tokenRecorder) install(c *fake.Clientset) {
	c.PrependReactor("create", "serviceaccounts", func(a k8stesting.Action) (bool, runtime.Object, error) {
		ca, ok := a.(k8stesting.CreateActionImpl)
		if !ok || a.GetSubresource() != "token" {
			return false, nil, nil
		}
		tr := ca.GetObject().(*authenticationv1.TokenRequest).DeepCopy()
		name := ca.Name
		r.mu.Lock()
		r.reqs, r.sas = append(r.reqs, tr.DeepCopy()), append(r.sas, name)
		r.mu.Unlock()
		tr.Status.Token = "token-of-" + name
		return true, tr, nil
	})
}

func int32p(v int32) *int32 { return &v }
func int64p(v int64) *int64 { return &v }
func boolp(v bool) *bool    { return &v }

// kubeAPIAccess is the projected volume the ServiceAccount admission plugin
// adds to every Pod.
func kubeAPIAccess() corev1.Volume {
	return corev1.Volume{Name: "kube-api-access-x1", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
		DefaultMode: int32p(420),
		Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{ExpirationSeconds: int64p(3607), Path: "token"}},
			{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"},
				Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
			{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{
				{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
		},
	}}}
}

func volumeObjects() []runtime.Object {
	return []runtime.Object{
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "coredns", Namespace: "kube-system"},
			Data: map[string]string{"Corefile": ".:53 {\n    errors\n}\n", "other": "x"}, BinaryData: map[string][]byte{"bin": {0, 1}}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kube-root-ca.crt", Namespace: "kube-system"},
			Data: map[string]string{"ca.crt": "-----BEGIN CERTIFICATE-----\n"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: "kube-system"}, Data: map[string][]byte{"user": []byte("admin")}},
	}
}

func volumePod(volumes ...corev1.Volume) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "coredns-1", Namespace: "kube-system", UID: "uid-1",
			Labels: map[string]string{"k8s-app": "kube-dns", "a": "b"}},
		Spec: corev1.PodSpec{NodeName: "worker1", ServiceAccountName: "coredns", Volumes: volumes},
	}
}

type wantFile struct {
	content string
	mode    os.FileMode
}

func TestVolumeSetup(t *testing.T) {
	hostDir := t.TempDir()
	tests := []struct {
		name      string
		volume    corev1.Volume
		want      map[string]wantFile // relative to the volume's path
		wantToken *authenticationv1.TokenRequestSpec
		wantSA    string
	}{
		{name: "configMap items", volume: corev1.Volume{Name: "config-volume", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "coredns"}, Items: []corev1.KeyToPath{{Key: "Corefile", Path: "Corefile"}}, DefaultMode: int32p(0o644)}}},
			want: map[string]wantFile{"Corefile": {".:53 {\n    errors\n}\n", 0o644}}},
		{name: "configMap every key, item modes", volume: corev1.Volume{Name: "all", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "coredns"}, DefaultMode: int32p(0o640)}}},
			want: map[string]wantFile{"Corefile": {".:53 {\n    errors\n}\n", 0o640}, "other": {"x", 0o640}, "bin": {"\x00\x01", 0o640}}},
		{name: "configMap item to a nested path", volume: corev1.Volume{Name: "nested", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "coredns"}, Items: []corev1.KeyToPath{{Key: "other", Path: "a/b/other", Mode: int32p(0o600)}}}}},
			want: map[string]wantFile{"a/b/other": {"x", 0o600}}},
		{name: "optional configMap missing", volume: corev1.Volume{Name: "opt", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "absent"}, Optional: boolp(true)}}},
			want: map[string]wantFile{}},
		{name: "optional key missing", volume: corev1.Volume{Name: "optkey", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "coredns"}, Optional: boolp(true), Items: []corev1.KeyToPath{{Key: "absent", Path: "absent"}}}}},
			want: map[string]wantFile{}},
		{name: "secret", volume: corev1.Volume{Name: "creds", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "creds"}}},
			want: map[string]wantFile{"user": {"admin", 0o644}}},
		{name: "downwardAPI", volume: corev1.Volume{Name: "podinfo", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{
			Items: []corev1.DownwardAPIVolumeFile{
				{Path: "name", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}},
				{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels"}},
				{Path: "app", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels['k8s-app']"}},
				{Path: "ip", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}},
				{Path: "node", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}},
			}}}},
			want: map[string]wantFile{"name": {"coredns-1", 0o644}, "labels": {"a=\"b\"\nk8s-app=\"kube-dns\"", 0o644}, "app": {"kube-dns", 0o644},
				"ip": {"10.244.1.5", 0o644}, "node": {"worker1", 0o644}}},
		{name: "kube-api-access", volume: kubeAPIAccess(),
			want: map[string]wantFile{"token": {"token-of-coredns", 0o644}, "ca.crt": {"-----BEGIN CERTIFICATE-----\n", 0o644}, "namespace": {"kube-system", 0o644}},
			wantToken: &authenticationv1.TokenRequestSpec{ExpirationSeconds: int64p(3607),
				BoundObjectRef: &authenticationv1.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: "coredns-1", UID: "uid-1"}},
			wantSA: "coredns"},
		{name: "token with an audience, mode 0600 by default", volume: corev1.Volume{Name: "vault", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Audience: "vault", Path: "vault-token"}}}}}},
			want: map[string]wantFile{"vault-token": {"token-of-coredns", 0o600}},
			wantToken: &authenticationv1.TokenRequestSpec{Audiences: []string{"vault"}, ExpirationSeconds: int64p(3600),
				BoundObjectRef: &authenticationv1.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: "coredns-1", UID: "uid-1"}},
			wantSA: "coredns"},
		{name: "emptyDir", volume: corev1.Volume{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			want: map[string]wantFile{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := fake.NewClientset(volumeObjects()...)
			tokens := &tokenRecorder{}
			tokens.install(client)
			w := &volumeWriter{client: client}
			dir := filepath.Join(hostDir, strings.ReplaceAll(tc.name, " ", "_"))
			paths, err := w.setup(context.Background(), volumePod(tc.volume), dir, "10.244.1.5", "172.30.0.11")
			if err != nil {
				t.Fatalf("setup: %v", err)
			}
			root := paths[tc.volume.Name]
			if root != filepath.Join(dir, "volumes", tc.volume.Name) {
				t.Errorf("volume path %q", root)
			}
			got := readTree(t, root)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("volume files = %v, want %v", got, tc.want)
			}
			if tc.wantToken == nil {
				if len(tokens.reqs) != 0 {
					t.Errorf("unexpected token requests %v", tokens.reqs)
				}
				return
			}
			if len(tokens.reqs) != 1 {
				t.Fatalf("%d token requests, want 1", len(tokens.reqs))
			}
			got1, want1 := tokens.reqs[0].Spec, tc.wantToken
			if tokens.sas[0] != tc.wantSA || len(got1.Audiences) != len(want1.Audiences) || (len(want1.Audiences) > 0 && got1.Audiences[0] != want1.Audiences[0]) ||
				*got1.ExpirationSeconds != *want1.ExpirationSeconds || !reflect.DeepEqual(got1.BoundObjectRef, want1.BoundObjectRef) {
				t.Errorf("token request %+v for %q, want %+v for %q", got1, tokens.sas[0], *want1, tc.wantSA)
			}
		})
	}
}

// readTree is every regular file under root with its content and mode.
func readTree(t *testing.T, root string) map[string]wantFile {
	t.Helper()
	out := map[string]wantFile{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = wantFile{content: string(data), mode: st.Mode().Perm()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVolumeSetupErrors(t *testing.T) {
	tests := []struct {
		name     string
		volume   corev1.Volume
		noClient bool
		want     string
	}{
		{name: "configMap missing", volume: corev1.Volume{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "absent"}}}},
			want: `MountVolume.SetUp failed for volume "cfg": configmap "absent":`},
		{name: "key missing", volume: corev1.Volume{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "coredns"}, Items: []corev1.KeyToPath{{Key: "absent", Path: "x"}}}}},
			want: `configmap coredns: no key "absent"`},
		{name: "secret missing", volume: corev1.Volume{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "absent"}}},
			want: `secret "absent":`},
		{name: "no client for a token", volume: kubeAPIAccess(), noClient: true, want: "no connection to kube-apiserver to request a token"},
		{name: "unsupported volume type", volume: corev1.Volume{Name: "nfs", VolumeSource: corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{Server: "nfs", Path: "/"}}},
			want: "volume type not supported by strata-vnode"},
		{name: "unsupported downward field", volume: corev1.Volume{Name: "d", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{
			Items: []corev1.DownwardAPIVolumeFile{{Path: "x", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.phase"}}}}}},
			want: `downwardAPI "x": field path "status.phase" is not supported`},
		{name: "hostPath directory missing", volume: corev1.Volume{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{
			Path: "/nonexistent/dir", Type: new(corev1.HostPathDirectory)}}},
			want: "hostPath type check failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &volumeWriter{}
			if !tc.noClient {
				w.client = fake.NewClientset(volumeObjects()...)
			}
			_, err := w.setup(context.Background(), volumePod(tc.volume), t.TempDir(), "", "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("setup error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestContainerMounts(t *testing.T) {
	vols := map[string]string{"config-volume": "/state/pods/u/volumes/config-volume", "kube-api-access-x1": "/state/pods/u/volumes/kube-api-access-x1",
		"data": "/state/pods/u/volumes/data"}
	const resolv, hosts = "/state/pods/u/resolv.conf", "/state/pods/u/etc-hosts"
	podFiles := []mountSpec{{Source: resolv, Target: "/etc/resolv.conf"}, {Source: hosts, Target: "/etc/hosts"}}
	tests := []struct {
		name    string
		c       corev1.Container
		want    []mountSpec
		wantErr string
	}{
		{name: "CoreDNS", c: corev1.Container{Name: "coredns", VolumeMounts: []corev1.VolumeMount{
			{Name: "config-volume", MountPath: "/etc/coredns", ReadOnly: true},
			{Name: "kube-api-access-x1", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true}}},
			want: []mountSpec{
				{Source: vols["config-volume"], Target: "/etc/coredns", ReadOnly: true},
				{Source: vols["kube-api-access-x1"], Target: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true},
				{Source: resolv, Target: "/etc/resolv.conf"}, {Source: hosts, Target: "/etc/hosts"}}},
		{name: "no volumes", c: corev1.Container{Name: "app"}, want: []mountSpec{{Source: resolv, Target: "/etc/resolv.conf"}, {Source: hosts, Target: "/etc/hosts"}}},
		{name: "subPath and subPathExpr", c: corev1.Container{Name: "app", Env: []corev1.EnvVar{{Name: "POD", Value: "p1"}}, VolumeMounts: []corev1.VolumeMount{
			{Name: "config-volume", MountPath: "/etc/Corefile", SubPath: "Corefile"},
			{Name: "data", MountPath: "/data", SubPathExpr: "logs/$(POD)"}}},
			want: []mountSpec{
				{Source: vols["config-volume"] + "/Corefile", Target: "/etc/Corefile"},
				{Source: vols["data"] + "/logs/p1", Target: "/data"},
				{Source: resolv, Target: "/etc/resolv.conf"}, {Source: hosts, Target: "/etc/hosts"}}},
		{name: "a volume at /etc/resolv.conf wins", c: corev1.Container{Name: "app", VolumeMounts: []corev1.VolumeMount{
			{Name: "config-volume", MountPath: "/etc/resolv.conf", SubPath: "resolv.conf"}}},
			want: []mountSpec{{Source: vols["config-volume"] + "/resolv.conf", Target: "/etc/resolv.conf"}, {Source: hosts, Target: "/etc/hosts"}}},
		{name: "a volume at /etc/hosts wins", c: corev1.Container{Name: "app", VolumeMounts: []corev1.VolumeMount{
			{Name: "data", MountPath: "/etc/hosts/", SubPath: "hosts"}}},
			want: []mountSpec{{Source: vols["data"] + "/hosts", Target: "/etc/hosts/"}, {Source: resolv, Target: "/etc/resolv.conf"}}},
		{name: "unknown volume", c: corev1.Container{Name: "app", VolumeMounts: []corev1.VolumeMount{{Name: "absent", MountPath: "/x"}}},
			wantErr: `container "app": volumeMount "absent": no such volume`},
		{name: "subPath leaving the volume", c: corev1.Container{Name: "app", VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/x", SubPath: "../../etc"}}},
			wantErr: `subPath "../../etc" leaves the volume`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := containerMounts(&tc.c, vols, podFiles)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("containerMounts error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("containerMounts: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("containerMounts =\n  %+v\nwant\n  %+v", got, tc.want)
			}
		})
	}
}
