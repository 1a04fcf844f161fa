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
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

const (
	// hostnameMaxLen caps a Pod's short hostname, as a kubelet does.
	hostnameMaxLen = 63
	// kernelHostnameMaxLen is the most sethostname(2) takes (HOST_NAME_MAX + 1
	// in the kubelet's reckoning for setHostnameAsFQDN).
	kernelHostnameMaxLen = 64
)

// podHostname is how a kubelet names a Pod's host: Name is the short hostname
// (of /etc/hosts), Domain its subdomain's domain (may be empty) and Kernel what
// the Pod's UTS namespace is given (the FQDN with setHostnameAsFQDN).
type podHostname struct {
	Name   string
	Domain string
	Kernel string
}

// hostnameOf computes a Pod's hostname as a kubelet does: spec.hostnameOverride
// if set, else spec.hostname if set, else the Pod's name, cut to 63 characters
// without a trailing '-' or '.'; spec.subdomain gives the domain
// <subdomain>.<namespace>.svc.<clusterDomain>, which setHostnameAsFQDN appends
// to the kernel's hostname (at most 64 characters). A hostNetwork Pod has the
// node's hostname: it is in the host's UTS namespace.
func hostnameOf(pod *corev1.Pod, clusterDomain string) (podHostname, error) {
	if pod.Spec.HostNetwork {
		name, err := os.Hostname()
		if err != nil {
			return podHostname{}, fmt.Errorf("the node's hostname: %w", err)
		}
		return podHostname{Name: name, Kernel: name}, nil
	}
	if o := pod.Spec.HostnameOverride; o != nil {
		if msgs := validation.IsDNS1123Subdomain(*o); len(msgs) != 0 {
			return podHostname{}, fmt.Errorf("spec.hostnameOverride %q is not a valid DNS subdomain: %s", *o, strings.Join(msgs, "; "))
		}
		name, err := truncateHostname(pod.Name, *o)
		return podHostname{Name: name, Kernel: name}, err
	}
	name := pod.Name
	if pod.Spec.Hostname != "" {
		if msgs := validation.IsDNS1123Label(pod.Spec.Hostname); len(msgs) != 0 {
			return podHostname{}, fmt.Errorf("spec.hostname %q is not a valid DNS label: %s", pod.Spec.Hostname, strings.Join(msgs, "; "))
		}
		name = pod.Spec.Hostname
	}
	name, err := truncateHostname(pod.Name, name)
	if err != nil {
		return podHostname{}, err
	}
	h := podHostname{Name: name, Kernel: name}
	if sub := pod.Spec.Subdomain; sub != "" {
		if msgs := validation.IsDNS1123Label(sub); len(msgs) != 0 {
			return podHostname{}, fmt.Errorf("spec.subdomain %q is not a valid DNS label: %s", sub, strings.Join(msgs, "; "))
		}
		h.Domain = sub + "." + pod.Namespace + ".svc." + clusterDomain
	}
	if pod.Spec.SetHostnameAsFQDN != nil && *pod.Spec.SetHostnameAsFQDN && h.Domain != "" {
		h.Kernel = h.Name + "." + h.Domain
		if len(h.Kernel) > kernelHostnameMaxLen {
			return podHostname{}, fmt.Errorf("spec.setHostnameAsFQDN: the FQDN %s is too long (%d characters is the max, %d characters requested)",
				h.Kernel, kernelHostnameMaxLen, len(h.Kernel))
		}
	}
	return h, nil
}

// truncateHostname cuts hostname to 63 characters, without a trailing '-' or '.'.
func truncateHostname(podName, hostname string) (string, error) {
	if len(hostname) <= hostnameMaxLen {
		return hostname, nil
	}
	cut := strings.TrimRight(hostname[:hostnameMaxLen], "-.")
	if cut == "" {
		return "", fmt.Errorf("pod %q: hostname %q is invalid once cut to %d characters", podName, hostname, hostnameMaxLen)
	}
	return cut, nil
}

// etcHostname is the content of a container's /etc/hostname, as a container
// runtime writes it.
func (h podHostname) etcHostname() string { return h.Kernel + "\n" }

// etcHosts is the content of a Pod's /etc/hosts as a kubelet manages it: the
// loopback entries, each Pod IP with the Pod's names, then the hostAliases.
func (h podHostname) etcHosts(podIPs []string, aliases []corev1.HostAlias) string {
	var b strings.Builder
	b.WriteString("# Kubernetes-managed hosts file.\n")
	b.WriteString("127.0.0.1\tlocalhost\n")
	b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
	b.WriteString("fe00::0\tip6-localnet\n")
	b.WriteString("fe00::0\tip6-mcastprefix\n")
	b.WriteString("fe00::1\tip6-allnodes\n")
	b.WriteString("fe00::2\tip6-allrouters\n")
	for _, ip := range podIPs {
		if h.Domain != "" {
			fmt.Fprintf(&b, "%s\t%s.%s\t%s\n", ip, h.Name, h.Domain, h.Name)
		} else {
			fmt.Fprintf(&b, "%s\t%s\n", ip, h.Name)
		}
	}
	if len(aliases) > 0 {
		b.WriteString("\n# Entries added by HostAliases.\n")
		for _, a := range aliases {
			fmt.Fprintf(&b, "%s\t%s\n", a.IP, strings.Join(a.Hostnames, "\t"))
		}
	}
	return b.String()
}
