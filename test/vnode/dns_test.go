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
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const hostResolvConf = `# the node's
nameserver 10.255.255.53
nameserver 10.255.255.54
search corp.example lab.example.
options timeout:2 rotate
options timeout:3
domain ignored.example
`

func dnsPod(policy corev1.DNSPolicy, hostNet bool, dc *corev1.PodDNSConfig) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "team-a"},
		Spec: corev1.PodSpec{DNSPolicy: policy, HostNetwork: hostNet, DNSConfig: dc}}
}

func strp(s string) *string { return &s }

func TestPodDNS(t *testing.T) {
	resolv := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(resolv, []byte(hostResolvConf), 0o644); err != nil {
		t.Fatal(err)
	}
	cluster := &dnsConfigurer{clusterDNS: []string{"10.96.0.10"}, clusterDomain: "cluster.local", resolvConf: resolv, nodeIP: "172.30.0.11"}
	clusterSearch := []string{"team-a.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "lab.example"}
	hostDNS := podDNS{Servers: []string{"10.255.255.53", "10.255.255.54"}, Searches: []string{"corp.example", "lab.example"},
		Options: []string{"timeout:3", "rotate"}}
	manySearches := make([]string, 40)
	for i := range manySearches {
		manySearches[i] = fmt.Sprintf("s%d.example", i)
	}
	long := strings.Repeat("a", 254)
	// 8 domains of 250 characters: 2007 characters with the cluster's three;
	// the ninth would pass 2048.
	wide := make([]string, 9)
	for i := range wide {
		wide[i] = strings.Repeat(string(rune('a'+i)), 250)
	}
	tests := []struct {
		name      string
		c         *dnsConfigurer
		pod       *corev1.Pod
		want      podDNS
		wantWarns []string
	}{
		{name: "ClusterFirst", c: cluster, pod: dnsPod(corev1.DNSClusterFirst, false, nil),
			want: podDNS{Servers: []string{"10.96.0.10"}, Searches: clusterSearch, Options: []string{"ndots:5"}}},
		{name: "ClusterFirst on the host network is Default", c: cluster, pod: dnsPod(corev1.DNSClusterFirst, true, nil), want: hostDNS},
		{name: "ClusterFirstWithHostNet", c: cluster, pod: dnsPod(corev1.DNSClusterFirstWithHostNet, true, nil),
			want: podDNS{Servers: []string{"10.96.0.10"}, Searches: clusterSearch, Options: []string{"ndots:5"}}},
		{name: "Default", c: cluster, pod: dnsPod(corev1.DNSDefault, false, nil), want: hostDNS},
		{name: "Default without a node resolv.conf", c: &dnsConfigurer{clusterDNS: []string{"10.96.0.10"}, clusterDomain: "cluster.local", nodeIP: "172.30.0.11"},
			pod: dnsPod(corev1.DNSDefault, false, nil), want: podDNS{Servers: []string{"127.0.0.1"}, Searches: []string{"."}}},
		{name: "Default without a node resolv.conf on IPv6", c: &dnsConfigurer{nodeIP: "fd00::11"},
			pod: dnsPod(corev1.DNSDefault, false, nil), want: podDNS{Servers: []string{"::1"}, Searches: []string{"."}}},
		{name: "None takes dnsConfig only", c: cluster, pod: dnsPod(corev1.DNSNone, false, &corev1.PodDNSConfig{
			Nameservers: []string{"192.0.2.1"}, Searches: []string{"a.example"}, Options: []corev1.PodDNSConfigOption{{Name: "ndots", Value: strp("2")}, {Name: "edns0"}}}),
			want: podDNS{Servers: []string{"192.0.2.1"}, Searches: []string{"a.example"}, Options: []string{"ndots:2", "edns0"}}},
		{name: "ClusterFirst merges dnsConfig", c: cluster, pod: dnsPod(corev1.DNSClusterFirst, false, &corev1.PodDNSConfig{
			Nameservers: []string{"192.0.2.1", "10.96.0.10"}, Searches: []string{"cluster.local", "extra.example"},
			Options: []corev1.PodDNSConfigOption{{Name: "ndots", Value: strp("1")}, {Name: "single-request-reopen"}, {Name: "timeout", Value: strp("")}}}),
			want: podDNS{Servers: []string{"10.96.0.10", "192.0.2.1"}, Searches: append(append([]string(nil), clusterSearch...), "extra.example"),
				Options: []string{"ndots:1", "single-request-reopen", "timeout"}}},
		{name: "Default merges dnsConfig", c: cluster, pod: dnsPod(corev1.DNSDefault, false, &corev1.PodDNSConfig{
			Nameservers: []string{"192.0.2.1"}, Options: []corev1.PodDNSConfigOption{{Name: "timeout", Value: strp("1")}}}),
			want: podDNS{Servers: []string{"10.255.255.53", "10.255.255.54", "192.0.2.1"}, Searches: hostDNS.Searches, Options: []string{"timeout:1", "rotate"}}},
		{name: "no cluster DNS falls back to Default", c: &dnsConfigurer{clusterDomain: "cluster.local", resolvConf: resolv},
			pod: dnsPod(corev1.DNSClusterFirst, false, nil), want: hostDNS,
			wantWarns: []string{`the node has no cluster DNS IP (--cluster-dns) and cannot create Pods with the "ClusterFirst" policy; falling back to "Default"`}},
		{name: "unknown policy is ClusterFirst", c: cluster, pod: dnsPod("Sometimes", false, nil),
			want:      podDNS{Servers: []string{"10.96.0.10"}, Searches: clusterSearch, Options: []string{"ndots:5"}},
			wantWarns: []string{"invalid DNSPolicy=Sometimes; falling back to ClusterFirst"}},
		{name: "no cluster domain keeps the node's searches", c: &dnsConfigurer{clusterDNS: []string{"10.96.0.10"}, resolvConf: resolv},
			pod:  dnsPod(corev1.DNSClusterFirst, false, nil),
			want: podDNS{Servers: []string{"10.96.0.10"}, Searches: []string{"corp.example", "lab.example"}, Options: []string{"ndots:5"}}},
		{name: "at most three nameservers", c: cluster, pod: dnsPod(corev1.DNSDefault, false, &corev1.PodDNSConfig{Nameservers: []string{"192.0.2.1", "192.0.2.2"}}),
			want:      podDNS{Servers: []string{"10.255.255.53", "10.255.255.54", "192.0.2.1"}, Searches: hostDNS.Searches, Options: hostDNS.Options},
			wantWarns: []string{"Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.255.255.53 10.255.255.54 192.0.2.1"}},
		{name: "at most 32 search domains", c: cluster, pod: dnsPod(corev1.DNSClusterFirst, false, &corev1.PodDNSConfig{Searches: manySearches}),
			want:      podDNS{Servers: []string{"10.96.0.10"}, Searches: append(append([]string(nil), clusterSearch...), manySearches[:27]...), Options: []string{"ndots:5"}},
			wantWarns: []string{"Search Line limits were exceeded, some search paths have been omitted, the applied search line is: team-a.svc.cluster.local"}},
		{name: "search domain longer than 253 dropped", c: cluster, pod: dnsPod(corev1.DNSClusterFirst, false, &corev1.PodDNSConfig{Searches: []string{long, "ok.example"}}),
			want:      podDNS{Servers: []string{"10.96.0.10"}, Searches: append(append([]string(nil), clusterSearch...), "ok.example"), Options: []string{"ndots:5"}},
			wantWarns: []string{"Search Line limits were exceeded"}},
		{name: "search line of at most 2048 characters", c: &dnsConfigurer{clusterDNS: []string{"10.96.0.10"}, clusterDomain: "cluster.local"},
			pod:       dnsPod(corev1.DNSClusterFirst, false, &corev1.PodDNSConfig{Searches: wide}),
			want:      podDNS{Servers: []string{"10.96.0.10"}, Searches: append([]string{"team-a.svc.cluster.local", "svc.cluster.local", "cluster.local"}, wide[:7]...), Options: []string{"ndots:5"}},
			wantWarns: []string{"Search Line limits were exceeded"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, warns, err := tc.c.podDNS(tc.pod)
			if err != nil {
				t.Fatalf("podDNS: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("podDNS =\n  %q\nwant\n  %q", got, tc.want)
			}
			if len(warns) != len(tc.wantWarns) {
				t.Fatalf("warnings %q, want %d like %q", warns, len(tc.wantWarns), tc.wantWarns)
			}
			for i, w := range tc.wantWarns {
				if !strings.HasPrefix(warns[i], w) {
					t.Errorf("warning %d = %q, want it to start with %q", i, warns[i], w)
				}
			}
		})
	}
}

func TestPodDNSErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(bad, []byte("nameserver\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    *dnsConfigurer
		want string
	}{
		{"missing node resolv.conf", &dnsConfigurer{resolvConf: "/nonexistent/resolv.conf"}, "the node's resolv.conf (--resolv-conf)"},
		{"unparsable node resolv.conf", &dnsConfigurer{resolvConf: bad}, "nameserver list is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.c.podDNS(dnsPod(corev1.DNSDefault, false, nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("podDNS error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseResolvConf(t *testing.T) {
	tests := []struct {
		name, in string
		want     podDNS
	}{
		{name: "empty", in: "", want: podDNS{}},
		{name: "comments and blank lines", in: "# nameserver 1.1.1.1\n\n  \nnameserver 10.0.0.1\n", want: podDNS{Servers: []string{"10.0.0.1"}}},
		{name: "last search line wins, dots dropped", in: "search a.example\nsearch b.example. . c.example\n",
			want: podDNS{Searches: []string{"b.example", "c.example"}}},
		{name: "search of the root only", in: "search .\n", want: podDNS{Searches: []string{}}},
		{name: "options one per name, last wins", in: "options ndots:2 edns0\noptions ndots:3\n", want: podDNS{Options: []string{"ndots:3", "edns0"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseResolvConf(tc.in)
			if err != nil {
				t.Fatalf("parseResolvConf: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseResolvConf = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestResolvConfFile(t *testing.T) {
	tests := []struct {
		name string
		d    podDNS
		want string
	}{
		{name: "ClusterFirst", d: podDNS{Servers: []string{"10.96.0.10"}, Searches: []string{"default.svc.cluster.local", "svc.cluster.local", "cluster.local"}, Options: []string{"ndots:5"}},
			want: "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"},
		{name: "several nameservers", d: podDNS{Servers: []string{"192.0.2.1", "192.0.2.2"}}, want: "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"},
		{name: "empty", d: podDNS{}, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.resolvConf(); got != tc.want {
				t.Errorf("resolvConf =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
