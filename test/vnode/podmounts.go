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
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
)

// mntnsDir holds the containers' mount namespace files.
func mntnsDir(stateDir string) string { return filepath.Join(stateDir, "mntns") }

// setupMounts resolves every container's environment (env.go) and gives it its
// mount namespace (volumes, the Pod's resolv.conf and its image's binary:
// imageMounts), retrying until it succeeds or ctx is done, as a kubelet retries
// a volume that cannot be set up yet (a ConfigMap not created yet, say).
func (r *podRuntime) setupMounts(ctx context.Context) bool {
	delay := 250 * time.Millisecond
	for {
		err := r.tryMounts(ctx)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		delay = min(delay, r.p.cfg.CNIRetryMax)
		klog.FromContext(ctx).Error(err, "Setting up the containers' mounts, will retry", "after", delay)
		r.setMountError(err)
		if !sleepCtx(ctx, delay) {
			return false
		}
		delay *= 2
	}
}

func (r *podRuntime) tryMounts(ctx context.Context) error {
	r.mu.Lock()
	pod := r.pod.DeepCopy()
	ips := append([]string(nil), r.ips...)
	r.mu.Unlock()
	podIP := ""
	if len(ips) > 0 {
		podIP = ips[0]
	}
	if err := r.resolveEnvs(ctx, pod, podIP); err != nil {
		return err
	}
	volumes, err := r.p.volumes.setup(ctx, pod, r.dir, podIP, r.p.cfg.NodeIP)
	if err != nil {
		return err
	}
	files, err := r.writePodFiles(ctx, pod, ips)
	if err != nil {
		return err
	}
	hide := []string{mntnsDir(r.p.cfg.StateDir), utsnsDir(r.p.cfg.StateDir)}
	for _, c := range append(append([]*container(nil), r.init...), r.containers...) {
		if c.mountNS() != "" {
			continue
		}
		podFiles := append(append([]mountSpec(nil), files...), r.p.resolver.imageMounts(&c.spec)...)
		mounts, err := containerMounts(&c.spec, volumes, podFiles)
		if err != nil {
			return err
		}
		path := filepath.Join(mntnsDir(r.p.cfg.StateDir), filepath.Base(r.dir)+"-"+c.spec.Name)
		if err := createMountNS(path, mounts, hide); err != nil {
			return fmt.Errorf("container %q: %w", c.spec.Name, err)
		}
		r.mu.Lock()
		c.mntns = path
		if r.state.MountNS == nil {
			r.state.MountNS = map[string]string{}
		}
		r.state.MountNS[c.spec.Name] = path
		r.persistLocked()
		r.mu.Unlock()
	}
	return nil
}

// writePodFiles writes the files the Pod's containers see in /etc: its
// resolv.conf and, off the host network (which keeps the node's), its
// hostname and hosts (the Pod's IPs with its names, as a kubelet manages it).
func (r *podRuntime) writePodFiles(ctx context.Context, pod *corev1.Pod, ips []string) ([]mountSpec, error) {
	resolvConf, err := r.writeResolvConf(ctx)
	if err != nil {
		return nil, err
	}
	files := []mountSpec{{Source: resolvConf, Target: "/etc/resolv.conf"}}
	if r.hostNet {
		return files, nil
	}
	for _, f := range []struct{ name, target, content string }{
		{"hostname", "/etc/hostname", r.host.etcHostname()},
		{"etc-hosts", "/etc/hosts", r.host.etcHosts(ips, pod.Spec.HostAliases)},
	} {
		path := filepath.Join(r.dir, f.name)
		if err := os.WriteFile(path, []byte(f.content), 0o644); err != nil {
			return nil, fmt.Errorf("writing the pod's %s: %w", f.target, err)
		}
		files = append(files, mountSpec{Source: path, Target: f.target})
	}
	return files, nil
}

// writeResolvConf writes the Pod's resolv.conf from its dnsPolicy and dnsConfig
// and returns its path; an empty configuration gets the host's file, as from a
// container runtime.
func (r *podRuntime) writeResolvConf(ctx context.Context) (string, error) {
	r.mu.Lock()
	pod := r.pod.DeepCopy()
	r.mu.Unlock()
	dns, warnings, err := r.p.dns.podDNS(pod)
	if err != nil {
		return "", err
	}
	for _, w := range warnings {
		klog.FromContext(ctx).Info("DNSConfigForming", "warning", w)
	}
	content := dns.resolvConf()
	if content == "" {
		data, err := os.ReadFile("/etc/resolv.conf")
		if err != nil && !os.IsNotExist(err) {
			return "", fmt.Errorf("the host's resolv.conf: %w", err)
		}
		content = string(data)
	}
	path := filepath.Join(r.dir, "resolv.conf")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return "", fmt.Errorf("writing the pod's resolv.conf: %w", err)
	}
	return path, nil
}

func (r *podRuntime) setMountError(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range append(append([]*container(nil), r.init...), r.containers...) {
		if c.state.Waiting != nil {
			c.state.Waiting.Message = err.Error()
		}
	}
	r.notifyLocked()
}

// mountNS is the container's mount namespace file, empty before setupMounts.
func (c *container) mountNS() string {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	return c.mntns
}

// removeMountNamespaces removes the mount namespace files of a Pod's state.
func removeMountNamespaces(st *podState) error {
	var errs []string
	for _, p := range st.MountNS {
		if err := removeMountNS(p); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}
