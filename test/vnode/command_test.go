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
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestIsAgnhostImage(t *testing.T) {
	tests := []struct {
		image string
		want  bool
	}{
		{"registry.k8s.io/e2e-test-images/agnhost:2.53", true},
		{"registry.k8s.io/e2e-test-images/agnhost", true},
		{"registry.k8s.io/e2e-test-images/agnhost@sha256:0123", true},
		{"k8s.gcr.io/e2e-test-images/agnhost:2.39", true},
		{"localhost:5000/e2e-test-images/agnhost:1.0", true},
		{"registry.k8s.io/guestbook:v3", false},
		{"k8s.gcr.io/redis:e2e", false},
		{"registry.k8s.io/e2e-test-images/agnhost-extra:1", false},
		{"agnhost", false},
	}
	for _, tc := range tests {
		t.Run(tc.image, func(t *testing.T) {
			if got := isAgnhostImage(tc.image); got != tc.want {
				t.Errorf("isAgnhostImage(%q) = %v, want %v", tc.image, got, tc.want)
			}
		})
	}
}

func TestIsCoreDNSImage(t *testing.T) {
	tests := []struct {
		image string
		want  bool
	}{
		{"registry.k8s.io/coredns/coredns:v1.15.0", true},
		{"registry.k8s.io/coredns/coredns", true},
		{"registry.k8s.io/coredns/coredns@sha256:0123", true},
		{"localhost:5000/coredns/coredns:v1.15.0", true},
		{"coredns/coredns:1.15.0", true},
		{"docker.io/coredns/coredns:1.15.0", true},
		{"registry.k8s.io/coredns:1.3.1", false},
		{"registry.k8s.io/coredns/coredns-extra:v1", false},
		{"coredns", false},
	}
	for _, tc := range tests {
		t.Run(tc.image, func(t *testing.T) {
			if got := isCoreDNSImage(tc.image); got != tc.want {
				t.Errorf("isCoreDNSImage(%q) = %v, want %v", tc.image, got, tc.want)
			}
		})
	}
}

func TestContainerArgv(t *testing.T) {
	const agnhost = "registry.k8s.io/e2e-test-images/agnhost:2.53"
	const coredns = "registry.k8s.io/coredns/coredns:v1.15.0"
	r := &commandResolver{agnhost: "/opt/bin/agnhost", coredns: "/opt/bin/coredns", responder: []string{"/opt/bin/strata-vnode", "respond"},
		lookPath: func(name string) (string, error) { return "/usr/bin/" + name, nil }}
	tests := []struct {
		name string
		c    corev1.Container
		want []string
	}{
		{name: "agnhost default args", c: corev1.Container{Image: agnhost},
			want: []string{"/opt/bin/agnhost", "pause"}},
		{name: "agnhost args", c: corev1.Container{Image: agnhost, Args: []string{"netexec", "--http-port=8080", "--udp-port=8081"}},
			want: []string{"/opt/bin/agnhost", "netexec", "--http-port=8080", "--udp-port=8081"}},
		{name: "agnhost command and args", c: corev1.Container{Image: agnhost, Command: []string{"/agnhost"}, Args: []string{"serve-hostname"}},
			want: []string{"/opt/bin/agnhost", "serve-hostname"}},
		{name: "host command", c: corev1.Container{Image: agnhost, Command: []string{"/no/such/dir/sh", "-c", "sleep 1"}},
			want: []string{"/usr/bin/sh", "-c", "sleep 1"}},
		{name: "env expanded", c: corev1.Container{Image: agnhost, Args: []string{"netexec", "--http-port=$(PORT)", "$$(PORT)", "$(UNSET)"},
			Env: []corev1.EnvVar{{Name: "PORT", Value: "9000"}}},
			want: []string{"/opt/bin/agnhost", "netexec", "--http-port=9000", "$(PORT)", "$(UNSET)"}},
		{name: "coredns entrypoint without CMD", c: corev1.Container{Image: coredns},
			want: []string{"/opt/bin/coredns"}},
		{name: "coredns args of the kubeadm Deployment", c: corev1.Container{Image: coredns, Args: []string{"-conf", "/etc/coredns/Corefile"}},
			want: []string{"/opt/bin/coredns", "-conf", "/etc/coredns/Corefile"}},
		{name: "coredns command", c: corev1.Container{Image: coredns, Command: []string{"/coredns"}, Args: []string{"-version"}},
			want: []string{"/opt/bin/coredns", "-version"}},
		{name: "responder on every port", c: corev1.Container{Image: "registry.k8s.io/guestbook:v3", Command: []string{"ignored"},
			Ports: []corev1.ContainerPort{{ContainerPort: 3000}, {ContainerPort: 53, Protocol: corev1.ProtocolUDP}, {ContainerPort: 3000, Protocol: corev1.ProtocolUDP}}},
			want: []string{"/opt/bin/strata-vnode", "respond", "--name", "web-1", "--tcp", "3000", "--udp", "3000", "--tcp", "53", "--udp", "53"}},
		{name: "responder without ports", c: corev1.Container{Image: "k8s.gcr.io/redis:e2e"},
			want: []string{"/opt/bin/strata-vnode", "respond", "--name", "web-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.containerArgv("web-1", &tc.c)
			if err != nil {
				t.Fatalf("containerArgv: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("containerArgv = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestImageMounts(t *testing.T) {
	configured := &commandResolver{agnhost: "/opt/bin/agnhost", coredns: "/opt/bin/coredns"}
	tests := []struct {
		name  string
		r     *commandResolver
		image string
		want  []mountSpec
	}{
		{name: "agnhost", r: configured, image: "registry.k8s.io/e2e-test-images/agnhost:2.45",
			want: []mountSpec{{Source: "/opt/bin/agnhost", Target: "/agnhost", ReadOnly: true}}},
		{name: "coredns", r: configured, image: "registry.k8s.io/coredns/coredns:v1.15.0",
			want: []mountSpec{{Source: "/opt/bin/coredns", Target: "/coredns", ReadOnly: true}}},
		{name: "responder image", r: configured, image: "registry.k8s.io/guestbook:v3"},
		{name: "agnhost not configured", r: &commandResolver{}, image: "registry.k8s.io/e2e-test-images/agnhost:2.45"},
		{name: "coredns not configured", r: &commandResolver{}, image: "registry.k8s.io/coredns/coredns:v1.15.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.imageMounts(&corev1.Container{Image: tc.image}); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("imageMounts(%s) = %+v, want %+v", tc.image, got, tc.want)
			}
		})
	}
}

func TestResolveArgvErrors(t *testing.T) {
	r := &commandResolver{lookPath: func(name string) (string, error) { return "", &lookErr{name} }}
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{"empty", nil, "empty command"},
		{"agnhost not configured", []string{"/agnhost", "connect"}, `"/agnhost": no agnhost binary configured on this node (--agnhost)`},
		{"coredns not configured", []string{"/coredns", "-conf", "/etc/coredns/Corefile"}, `"/coredns": no coredns binary configured on this node (--coredns)`},
		{"absolute path missing", []string{"/no/such/tool"}, `"/no/such/tool": not on the host, and "tool" not in PATH`},
		{"name not in PATH", []string{"nosuchtool"}, `"nosuchtool": not in PATH`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.resolveArgv(tc.argv)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("resolveArgv(%q) error = %v, want %q", tc.argv, err, tc.want)
			}
		})
	}
}

type lookErr struct{ name string }

func (e *lookErr) Error() string { return e.name + ": executable file not found in $PATH" }

func TestExpandVars(t *testing.T) {
	vals := map[string]string{"A": "1", "B": "two"}
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"$(A)", "1"},
		{"x$(A)y$(B)z", "x1ytwoz"},
		{"$(C)", "$(C)"},
		{"$$(A)", "$(A)"},
		{"$$", "$"},
		{"cost $5", "cost $5"},
		{"$(A", "$(A"},
		{"end$", "end$"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := expandVars(tc.in, vals); got != tc.want {
				t.Errorf("expandVars(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestContainerEnv(t *testing.T) {
	t.Setenv("PATH", "/bin")
	c := corev1.Container{Env: []corev1.EnvVar{
		{Name: "GREETING", Value: "hello"},
		{Name: "MSG", Value: "$(GREETING) from $(HOSTNAME)"},
		{Name: "HOME", Value: "/data"},
	}}
	want := []string{"PATH=/bin", "HOSTNAME=web-1", "HOME=/data", "GREETING=hello", "MSG=hello from web-1"}
	if got := containerEnv("web-1", &c); !reflect.DeepEqual(got, want) {
		t.Errorf("containerEnv = %q, want %q", got, want)
	}
}
