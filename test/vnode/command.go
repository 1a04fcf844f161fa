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
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// The agnhost image's ENTRYPOINT and CMD; the CoreDNS image's ENTRYPOINT (it has
// no CMD).
var (
	agnhostEntrypoint = []string{"/agnhost"}
	agnhostCmd        = []string{"pause"}
	corednsEntrypoint = []string{"/coredns"}
)

// defaultPath is the PATH of containers when the program has none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// isAgnhostImage reports images of the e2e agnhost test image
// (registry.k8s.io/e2e-test-images/agnhost:TAG, any registry, tag or digest).
func isAgnhostImage(image string) bool {
	return strings.HasSuffix(imageRepository(image), "/e2e-test-images/agnhost")
}

// isCoreDNSImage reports images of CoreDNS (registry.k8s.io/coredns/coredns:TAG,
// any registry, tag or digest; Docker Hub's coredns/coredns too).
func isCoreDNSImage(image string) bool {
	repo := imageRepository(image)
	return repo == "coredns/coredns" || strings.HasSuffix(repo, "/coredns/coredns")
}

// imageRepository is an image reference without its tag and digest.
func imageRepository(image string) string {
	repo := image
	if i := strings.Index(repo, "@"); i >= 0 {
		repo = repo[:i]
	}
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo = repo[:i]
	}
	return repo
}

// commandResolver turns containers and exec commands into host argv.
type commandResolver struct {
	agnhost   string
	coredns   string
	responder []string
	lookPath  func(string) (string, error)
}

func newCommandResolver(cfg *RuntimeConfig) *commandResolver {
	return &commandResolver{agnhost: cfg.AgnhostPath, coredns: cfg.CoreDNSPath, responder: cfg.ResponderCommand, lookPath: exec.LookPath}
}

// imageDefaults are an image's ENTRYPOINT and CMD.
type imageDefaults struct {
	entrypoint, cmd []string
}

// knownImage is the entrypoint and default arguments of the images run as real
// programs: agnhost and CoreDNS; false for the images run as responders.
func knownImage(image string) (imageDefaults, bool) {
	switch {
	case isAgnhostImage(image):
		return imageDefaults{entrypoint: agnhostEntrypoint, cmd: agnhostCmd}, true
	case isCoreDNSImage(image):
		return imageDefaults{entrypoint: corednsEntrypoint}, true
	default:
		return imageDefaults{}, false
	}
}

// imageMounts are the files of a container's image that its own processes expect
// at their image paths: the configured agnhost binary at /agnhost in agnhost
// images, the configured coredns at /coredns in CoreDNS images (read-only), so
// that a command such as `bash -c "/agnhost serve-hostname"` runs as in the image.
// None when the node has no such binary configured: the container then fails to
// start with the error of resolveBinary.
func (r *commandResolver) imageMounts(c *corev1.Container) []mountSpec {
	switch {
	case isAgnhostImage(c.Image) && r.agnhost != "":
		return []mountSpec{{Source: r.agnhost, Target: agnhostEntrypoint[0], ReadOnly: true}}
	case isCoreDNSImage(c.Image) && r.coredns != "":
		return []mountSpec{{Source: r.coredns, Target: corednsEntrypoint[0], ReadOnly: true}}
	default:
		return nil
	}
}

// containerArgv is the command a container runs: the real agnhost for agnhost
// images and the real coredns for CoreDNS images (with the image's entrypoint
// and default args, Docker semantics), a responder answering on every declared
// port for any other image.
func (r *commandResolver) containerArgv(podName string, c *corev1.Container) ([]string, error) {
	img, ok := knownImage(c.Image)
	if !ok {
		return r.responderArgv(podName, c.Ports), nil
	}
	env := envMap(c.Env)
	var argv []string
	switch {
	case len(c.Command) > 0:
		argv = append(append(argv, c.Command...), c.Args...)
	case len(c.Args) > 0:
		argv = append(append(argv, img.entrypoint...), c.Args...)
	default:
		argv = append(append(argv, img.entrypoint...), img.cmd...)
	}
	for i := range argv {
		argv[i] = expandVars(argv[i], env)
	}
	return r.resolveArgv(argv)
}

// responderArgv answers with the Pod's name on every declared port, TCP and UDP.
func (r *commandResolver) responderArgv(podName string, ports []corev1.ContainerPort) []string {
	argv := append(append([]string(nil), r.responder...), "--name", podName)
	seen := map[int32]bool{}
	for _, p := range ports {
		if p.ContainerPort <= 0 || seen[p.ContainerPort] {
			continue
		}
		seen[p.ContainerPort] = true
		port := strconv.Itoa(int(p.ContainerPort))
		argv = append(argv, "--tcp", port, "--udp", port)
	}
	return argv
}

// resolveArgv maps argv[0] to a host binary: "/agnhost" (or "agnhost") is the
// configured agnhost, "/coredns" (or "coredns") the configured coredns; an absolute path is used when it exists on the host and is
// looked up by its base name in PATH otherwise; other names are looked up in PATH.
func (r *commandResolver) resolveArgv(argv []string) ([]string, error) {
	if len(argv) == 0 || argv[0] == "" {
		return nil, errors.New("empty command")
	}
	bin, err := r.resolveBinary(argv[0])
	if err != nil {
		return nil, err
	}
	return append([]string{bin}, argv[1:]...), nil
}

func (r *commandResolver) resolveBinary(name string) (string, error) {
	if name == "/agnhost" || name == "agnhost" {
		if r.agnhost == "" {
			return "", fmt.Errorf("%q: no agnhost binary configured on this node (--agnhost)", name)
		}
		return r.agnhost, nil
	}
	if name == "/coredns" || name == "coredns" {
		if r.coredns == "" {
			return "", fmt.Errorf("%q: no coredns binary configured on this node (--coredns)", name)
		}
		return r.coredns, nil
	}
	if filepath.IsAbs(name) {
		if st, err := os.Stat(name); err == nil && !st.IsDir() {
			return name, nil
		}
		p, err := r.lookPath(filepath.Base(name))
		if err != nil {
			return "", fmt.Errorf("%q: not on the host, and %q not in PATH", name, filepath.Base(name))
		}
		return p, nil
	}
	p, err := r.lookPath(name)
	if err != nil {
		return "", fmt.Errorf("%q: not in PATH: %w", name, err)
	}
	return p, nil
}

// containerEnv is a container's environment: PATH, HOSTNAME and HOME, then the
// container's variables with literal values (resolveEnvs resolves valueFrom and
// envFrom before the container starts), $(VAR) references expanded as Kubernetes does.
func containerEnv(hostname string, c *corev1.Container) []string {
	path := os.Getenv("PATH")
	if path == "" {
		path = defaultPath
	}
	vals := map[string]string{"PATH": path, "HOSTNAME": hostname, "HOME": "/root"}
	order := []string{"PATH", "HOSTNAME", "HOME"}
	for _, e := range c.Env {
		if _, ok := vals[e.Name]; !ok {
			order = append(order, e.Name)
		}
		vals[e.Name] = expandVars(e.Value, vals)
	}
	env := make([]string, 0, len(order))
	for _, k := range order {
		env = append(env, k+"="+vals[k])
	}
	return env
}

func envMap(env []corev1.EnvVar) map[string]string {
	m := make(map[string]string, len(env))
	for _, e := range env {
		m[e.Name] = expandVars(e.Value, m)
	}
	return m
}

// expandVars replaces $(NAME) with NAME's value when defined, keeps unknown
// references as they are and reduces $$ to $, as Kubernetes expands commands,
// args and env values.
func expandVars(s string, vals map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := vals[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}
