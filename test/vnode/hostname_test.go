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
	"os"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestHostnameOf(t *testing.T) {
	long := strings.Repeat("a", 62) + "-b"
	yes := true
	override := "app.example.com"
	nodeName, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		spec    corev1.PodSpec
		podName string
		want    podHostname
		wantErr string
	}{
		{name: "the pod's name", podName: "web-1", want: podHostname{Name: "web-1", Kernel: "web-1"}},
		{name: "spec.hostname wins", podName: "web-1", spec: corev1.PodSpec{Hostname: "db"}, want: podHostname{Name: "db", Kernel: "db"}},
		{name: "cut to 63 without a trailing dash", podName: long, want: podHostname{Name: strings.Repeat("a", 62), Kernel: strings.Repeat("a", 62)}},
		{name: "subdomain", podName: "web-1", spec: corev1.PodSpec{Hostname: "db", Subdomain: "sub"},
			want: podHostname{Name: "db", Domain: "sub.ns1.svc.cluster.local", Kernel: "db"}},
		{name: "setHostnameAsFQDN", podName: "web-1", spec: corev1.PodSpec{Subdomain: "sub", SetHostnameAsFQDN: &yes},
			want: podHostname{Name: "web-1", Domain: "sub.ns1.svc.cluster.local", Kernel: "web-1.sub.ns1.svc.cluster.local"}},
		{name: "setHostnameAsFQDN without subdomain", podName: "web-1", spec: corev1.PodSpec{SetHostnameAsFQDN: &yes},
			want: podHostname{Name: "web-1", Kernel: "web-1"}},
		{name: "FQDN too long", podName: strings.Repeat("a", 40), spec: corev1.PodSpec{Subdomain: "sub", SetHostnameAsFQDN: &yes},
			wantErr: "spec.setHostnameAsFQDN: the FQDN"},
		{name: "hostnameOverride", podName: "web-1", spec: corev1.PodSpec{Hostname: "db", Subdomain: "sub", HostnameOverride: &override},
			want: podHostname{Name: override, Kernel: override}},
		{name: "host network", podName: "web-1", spec: corev1.PodSpec{HostNetwork: true, Hostname: "db"},
			want: podHostname{Name: nodeName, Kernel: nodeName}},
		{name: "invalid hostname", podName: "web-1", spec: corev1.PodSpec{Hostname: "Not_A_Label"}, wantErr: `spec.hostname "Not_A_Label"`},
		{name: "invalid subdomain", podName: "web-1", spec: corev1.PodSpec{Subdomain: "a.b"}, wantErr: `spec.subdomain "a.b"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: tc.podName, Namespace: "ns1"}, Spec: tc.spec}
			got, err := hostnameOf(pod, "cluster.local")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("hostnameOf error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("hostnameOf = %+v (err %v), want %+v", got, err, tc.want)
			}
		})
	}
}

func TestEtcHosts(t *testing.T) {
	const loopback = "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
	tests := []struct {
		name    string
		host    podHostname
		ips     []string
		aliases []corev1.HostAlias
		want    string
	}{
		{name: "no domain", host: podHostname{Name: "web-1"}, ips: []string{"10.0.0.5"}, want: loopback + "10.0.0.5\tweb-1\n"},
		{name: "domain, two IPs", host: podHostname{Name: "db", Domain: "sub.ns1.svc.cluster.local"}, ips: []string{"10.0.0.5", "fd00::5"},
			want: loopback + "10.0.0.5\tdb.sub.ns1.svc.cluster.local\tdb\nfd00::5\tdb.sub.ns1.svc.cluster.local\tdb\n"},
		{name: "host aliases", host: podHostname{Name: "web-1"}, ips: []string{"10.0.0.5"},
			aliases: []corev1.HostAlias{{IP: "192.0.2.1", Hostnames: []string{"foo.local", "bar.local"}}},
			want:    loopback + "10.0.0.5\tweb-1\n\n# Entries added by HostAliases.\n192.0.2.1\tfoo.local\tbar.local\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.host.etcHosts(tc.ips, tc.aliases); got != tc.want {
				t.Errorf("etcHosts =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
