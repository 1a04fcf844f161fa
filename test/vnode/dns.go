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
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// The limits a kubelet applies to a Pod's resolver configuration
// (k8s.io/kubernetes/pkg/apis/core/validation: MaxDNSNameservers,
// MaxDNSSearchPaths, MaxDNSSearchListChars; DNS-1123 subdomain length).
const (
	maxDNSNameservers     = 3
	maxDNSSearchPaths     = 32
	maxDNSSearchListChars = 2048
	maxDNSSearchLength    = 253
)

// podDNS is a Pod's resolver configuration (the runtime's DNSConfig).
type podDNS struct {
	Servers  []string
	Searches []string
	Options  []string
}

// dnsConfigurer computes a Pod's resolver configuration from its dnsPolicy and
// dnsConfig as the kubelet does (pkg/kubelet/network/dns, GetPodDNS).
type dnsConfigurer struct {
	clusterDNS    []string
	clusterDomain string
	// resolvConf is the node's resolver configuration (--resolv-conf); empty:
	// Default Pods get 127.0.0.1 and the search ".", as from a kubelet.
	resolvConf string
	nodeIP     string
}

func newDNSConfigurer(cfg *RuntimeConfig) *dnsConfigurer {
	return &dnsConfigurer{clusterDNS: cfg.ClusterDNS, clusterDomain: cfg.ClusterDomain, resolvConf: cfg.ResolvConf, nodeIP: cfg.NodeIP}
}

// podDNSType is how a Pod resolves names.
type podDNSType int

const (
	podDNSCluster podDNSType = iota
	podDNSHost
	podDNSNone
)

// dnsTypeOf maps dnsPolicy to the resolver: ClusterFirst is the node's for
// hostNetwork Pods (ClusterFirstWithHostNet is not); an unknown policy is
// an error, and the kubelet falls back to the cluster's.
func dnsTypeOf(pod *corev1.Pod) (podDNSType, error) {
	switch pod.Spec.DNSPolicy {
	case corev1.DNSNone:
		return podDNSNone, nil
	case corev1.DNSClusterFirstWithHostNet:
		return podDNSCluster, nil
	case corev1.DNSClusterFirst:
		if !pod.Spec.HostNetwork {
			return podDNSCluster, nil
		}
		return podDNSHost, nil
	case corev1.DNSDefault:
		return podDNSHost, nil
	}
	return podDNSCluster, fmt.Errorf("invalid DNSPolicy=%v", pod.Spec.DNSPolicy)
}

// podDNS is the Pod's resolver configuration; warnings say what the limits
// cut off (a kubelet records them as DNSConfigForming events).
func (c *dnsConfigurer) podDNS(pod *corev1.Pod) (podDNS, []string, error) {
	host, err := c.hostDNS()
	if err != nil {
		return podDNS{}, nil, err
	}
	var warnings []string
	dnsType, err := dnsTypeOf(pod)
	if err != nil {
		warnings = append(warnings, err.Error()+"; falling back to ClusterFirst")
	}
	cfg := host
	switch dnsType {
	case podDNSNone:
		cfg = podDNS{}
	case podDNSCluster:
		if len(c.clusterDNS) > 0 {
			cfg = podDNS{Servers: append([]string(nil), c.clusterDNS...), Searches: c.clusterSearches(host.Searches, pod.Namespace),
				Options: []string{"ndots:5"}}
			break
		}
		warnings = append(warnings, fmt.Sprintf("the node has no cluster DNS IP (--cluster-dns) and cannot create Pods with the %q policy; falling back to %q",
			corev1.DNSClusterFirst, corev1.DNSDefault))
		fallthrough
	case podDNSHost:
		if c.resolvConf == "" {
			server := "127.0.0.1"
			if ip := net.ParseIP(c.nodeIP); ip != nil && ip.To4() == nil {
				server = "::1"
			}
			cfg.Servers = append(cfg.Servers, server)
			cfg.Searches = []string{"."}
		}
	}
	if dc := pod.Spec.DNSConfig; dc != nil {
		cfg.Servers = omitDuplicates(append(cfg.Servers, dc.Nameservers...))
		cfg.Searches = omitDuplicates(append(cfg.Searches, dc.Searches...))
		cfg.Options = mergeDNSOptions(cfg.Options, dc.Options)
	}
	var w []string
	cfg.Servers, w = fitNameservers(cfg.Servers)
	warnings = append(warnings, w...)
	cfg.Searches, w = fitSearches(cfg.Searches)
	return cfg, append(warnings, w...), nil
}

// clusterSearches are <ns>.svc.<domain>, svc.<domain>, <domain>, then the node's.
func (c *dnsConfigurer) clusterSearches(hostSearches []string, namespace string) []string {
	if c.clusterDomain == "" {
		return hostSearches
	}
	cluster := []string{namespace + ".svc." + c.clusterDomain, "svc." + c.clusterDomain, c.clusterDomain}
	return omitDuplicates(append(cluster, hostSearches...))
}

// hostDNS is the node's resolver configuration (--resolv-conf).
func (c *dnsConfigurer) hostDNS() (podDNS, error) {
	if c.resolvConf == "" {
		return podDNS{}, nil
	}
	data, err := os.ReadFile(c.resolvConf)
	if err != nil {
		return podDNS{}, fmt.Errorf("the node's resolv.conf (--resolv-conf): %w", err)
	}
	d, err := parseResolvConf(string(data))
	if err != nil {
		return podDNS{}, fmt.Errorf("parsing %s (--resolv-conf): %w", c.resolvConf, err)
	}
	return d, nil
}

// parseResolvConf reads nameserver, search (the last line wins; "." and
// trailing dots dropped) and options (one per name, the last wins) lines, as a
// kubelet does; other lines and comments are ignored.
func parseResolvConf(content string) (podDNS, error) {
	var d podDNS
	var errs []error
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "nameserver":
			if len(fields) >= 2 {
				d.Servers = append(d.Servers, fields[1])
			} else {
				errs = append(errs, errors.New("nameserver list is empty"))
			}
		case "search":
			d.Searches = []string{}
			for _, s := range fields[1:] {
				if s != "." {
					d.Searches = append(d.Searches, strings.TrimSuffix(s, "."))
				}
			}
		case "options":
			d.Options = appendOptions(d.Options, fields[1:]...)
		}
	}
	return d, errors.Join(errs...)
}

// appendOptions adds options, a later one replacing an earlier one of the same
// name in place.
func appendOptions(options []string, add ...string) []string {
	for _, o := range add {
		name, _, _ := strings.Cut(o, ":")
		replaced := false
		for i, old := range options {
			if n, _, _ := strings.Cut(old, ":"); n == name {
				options[i], replaced = o, true
				break
			}
		}
		if !replaced {
			options = append(options, o)
		}
	}
	return options
}

// mergeDNSOptions adds the Pod's dnsConfig options: one per name, the Pod's
// value winning ("name" alone when it has no value).
func mergeDNSOptions(options []string, podOptions []corev1.PodDNSConfigOption) []string {
	out := appendOptions(nil, options...)
	for _, o := range podOptions {
		opt := o.Name
		if o.Value != nil && *o.Value != "" {
			opt += ":" + *o.Value
		}
		out = appendOptions(out, opt)
	}
	return out
}

func omitDuplicates(items []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range items {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// fitNameservers keeps the first three nameservers.
func fitNameservers(servers []string) ([]string, []string) {
	if len(servers) <= maxDNSNameservers {
		return servers, nil
	}
	servers = servers[:maxDNSNameservers]
	return servers, []string{"Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: " +
		strings.Join(servers, " ")}
}

// fitSearches keeps at most 32 search domains, drops those longer than 253
// characters and cuts the last ones until the line has at most 2048 characters.
func fitSearches(searches []string) ([]string, []string) {
	exceeded := false
	if len(searches) > maxDNSSearchPaths {
		searches, exceeded = searches[:maxDNSSearchPaths], true
	}
	kept := searches[:0:0]
	for _, s := range searches {
		if len(s) > maxDNSSearchLength {
			exceeded = true
			continue
		}
		kept = append(kept, s)
	}
	searches = kept
	if n := len(strings.Join(searches, " ")); n > maxDNSSearchListChars {
		cut := 0
		for i := len(searches) - 1; i >= 0; i-- {
			n -= len(searches[i]) + 1
			cut++
			if n <= maxDNSSearchListChars {
				break
			}
		}
		searches, exceeded = searches[:len(searches)-cut], true
	}
	if !exceeded {
		return searches, nil
	}
	return searches, []string{"Search Line limits were exceeded, some search paths have been omitted, the applied search line is: " +
		strings.Join(searches, " ")}
}

// resolvConf is the file a container runtime (containerd) writes from the
// configuration: search, nameserver and options lines; empty when the
// configuration is (then the runtime copies the host's).
func (d podDNS) resolvConf() string {
	var b strings.Builder
	if len(d.Searches) > 0 {
		b.WriteString("search " + strings.Join(d.Searches, " ") + "\n")
	}
	for _, s := range d.Servers {
		b.WriteString("nameserver " + s + "\n")
	}
	if len(d.Options) > 0 {
		b.WriteString("options " + strings.Join(d.Options, " ") + "\n")
	}
	return b.String()
}
