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
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// Provider is the virtual-kubelet provider: Pods as network namespaces with
// processes. It implements nodeutil.Provider and node.PodNotifier.
type Provider struct {
	cfg      RuntimeConfig
	ctx      context.Context
	cni      *cniRunner
	resolver *commandResolver
	dns      *dnsConfigurer
	volumes  *volumeWriter
	notifier *notifier
	started  time.Time
	lock     *os.File // the state dir's, released by Shutdown
	onDelete func(context.Context, *corev1.Pod)

	mu   sync.Mutex
	pods map[string]*podRuntime
}

var _ nodeutil.Provider = (*Provider)(nil)

// NewProvider validates cfg, prepares the state dir and tears down what a
// previous run left in it (see Cleanup). ctx supplies the logger of the Pods.
func NewProvider(ctx context.Context, cfg RuntimeConfig) (*Provider, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	lock, err := lockStateDir(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{podsDir(cfg.StateDir), cfg.CNICacheDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			_ = lock.Close()
			return nil, fmt.Errorf("--state-dir: %w", err)
		}
	}
	p := &Provider{cfg: cfg, ctx: ctx, cni: newCNIRunner(&cfg), resolver: newCommandResolver(&cfg),
		dns: newDNSConfigurer(&cfg), volumes: &volumeWriter{},
		notifier: newNotifier(), pods: map[string]*podRuntime{}, started: time.Now(), lock: lock}
	if err := cleanupPods(ctx, p.cni, podsDir(cfg.StateDir)); err != nil {
		klog.FromContext(ctx).Error(err, "Cleaning up the pods of the previous run (continuing)")
	}
	for _, d := range []string{mntnsDir(cfg.StateDir), utsnsDir(cfg.StateDir)} {
		if err := releaseMountNSDir(d); err != nil {
			klog.FromContext(ctx).Error(err, "Removing the namespace files of the previous run (continuing)", "dir", d)
		}
		if err := prepareMountNSDir(d); err != nil {
			_ = lock.Close()
			return nil, err
		}
	}
	return p, nil
}

// UseClient gives the Pods' volumes their access to kube-apiserver: ConfigMaps,
// Secrets and ServiceAccount tokens. Call it before the first Pod is created.
func (p *Provider) UseClient(client kubernetes.Interface) {
	p.volumes.client = client
}

// CreatePod starts the Pod; its sandbox and containers come up in the background
// and their progress is reported through NotifyPods.
func (p *Provider) CreatePod(ctx context.Context, pod *corev1.Pod) error {
	key := podKey(pod.Namespace, pod.Name)
	if old := p.lookup(key); old != nil {
		if old.uid == pod.UID {
			old.update(pod)
			return nil
		}
		if err := p.replace(ctx, old); err != nil {
			return err
		}
	}
	r, err := newPodRuntime(p.ctx, p, pod)
	if err != nil {
		return err
	}
	p.mu.Lock()
	if cur, ok := p.pods[key]; ok && cur.uid == pod.UID {
		p.mu.Unlock()
		_ = os.RemoveAll(r.dir)
		return nil
	}
	p.pods[key] = r
	p.mu.Unlock()
	klog.FromContext(ctx).Info("Creating pod", "pod", key, "uid", pod.UID)
	r.start()
	return nil
}

// replace stops a Pod that another Pod of the same name (a new UID) replaces,
// and waits until it is gone (at most its grace period and two minutes).
func (p *Provider) replace(ctx context.Context, old *podRuntime) error {
	grace := old.gracePeriod()
	old.terminate(grace, false)
	ctx, cancel := context.WithTimeout(ctx, grace+2*time.Minute)
	defer cancel()
	select {
	case <-old.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for the previous pod %s (uid %s) to stop: %w", old.key, old.uid, ctx.Err())
	}
}

// UpdatePod takes the Pod's new metadata; a Pod with a new UID replaces the old.
func (p *Provider) UpdatePod(ctx context.Context, pod *corev1.Pod) error {
	r := p.lookup(podKey(pod.Namespace, pod.Name))
	if r == nil || r.uid != pod.UID {
		return p.CreatePod(ctx, pod)
	}
	r.update(pod)
	return nil
}

// DeletePod stops the Pod's containers with the deletion's grace period, then
// detaches and removes its sandbox in the background; the terminal status is
// reported through NotifyPods. Deleting a Pod again is harmless.
func (p *Provider) DeletePod(ctx context.Context, pod *corev1.Pod) error {
	key := podKey(pod.Namespace, pod.Name)
	r := p.lookup(key)
	if r == nil || (pod.UID != "" && r.uid != pod.UID) {
		return errdefs.NotFoundf("pod %s (uid %s) is not on this node", key, pod.UID)
	}
	klog.FromContext(ctx).Info("Deleting pod", "pod", key, "grace", gracePeriodOf(pod))
	r.terminate(gracePeriodOf(pod), true)
	return nil
}

// GetPod returns the Pod with its current status.
func (p *Provider) GetPod(_ context.Context, namespace, name string) (*corev1.Pod, error) {
	r := p.lookup(podKey(namespace, name))
	if r == nil {
		return nil, errdefs.NotFoundf("pod %s/%s is not on this node", namespace, name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.podLocked(), nil
}

// GetPodStatus returns the Pod's current status.
func (p *Provider) GetPodStatus(ctx context.Context, namespace, name string) (*corev1.PodStatus, error) {
	pod, err := p.GetPod(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	return &pod.Status, nil
}

// GetPods returns every Pod on the node.
func (p *Provider) GetPods(_ context.Context) ([]*corev1.Pod, error) {
	p.mu.Lock()
	rs := make([]*podRuntime, 0, len(p.pods))
	for _, r := range p.pods {
		rs = append(rs, r)
	}
	p.mu.Unlock()
	pods := make([]*corev1.Pod, 0, len(rs))
	for _, r := range rs {
		r.mu.Lock()
		pods = append(pods, r.podLocked())
		r.mu.Unlock()
	}
	return pods, nil
}

// NotifyPods registers virtual-kubelet's status callback.
func (p *Provider) NotifyPods(ctx context.Context, cb func(*corev1.Pod)) {
	go p.notifier.run(ctx, cb)
}

// Shutdown stops every Pod (each with its grace period, at most grace), waits
// until they are torn down or ctx is done, and releases the state dir.
func (p *Provider) Shutdown(ctx context.Context, grace time.Duration) error {
	p.mu.Lock()
	rs := make([]*podRuntime, 0, len(p.pods))
	for _, r := range p.pods {
		rs = append(rs, r)
	}
	p.mu.Unlock()
	for _, r := range rs {
		r.terminate(min(r.gracePeriod(), grace), false)
	}
	for _, r := range rs {
		select {
		case <-r.done:
		case <-ctx.Done():
			return fmt.Errorf("stopping %d pods: %w", len(rs), ctx.Err())
		}
	}
	return errors.Join(releaseMountNSDir(mntnsDir(p.cfg.StateDir)), releaseMountNSDir(utsnsDir(p.cfg.StateDir)), p.lock.Close())
}

// OnPodDeleted registers fn, called with the last state of every Pod torn down
// after DeletePod, once its processes are stopped and its sandbox is removed. Run
// uses it to delete the Pod object then, as a kubelet does, rather than after
// the whole grace period.
func (p *Provider) OnPodDeleted(fn func(context.Context, *corev1.Pod)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onDelete = fn
}

func (p *Provider) podDeleted(ctx context.Context, pod *corev1.Pod) {
	p.mu.Lock()
	fn := p.onDelete
	p.mu.Unlock()
	if fn != nil {
		fn(ctx, pod)
	}
}

func (p *Provider) lookup(key string) *podRuntime {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pods[key]
}

// forget drops a torn-down Pod (unless a newer one took its name).
func (p *Provider) forget(r *podRuntime) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pods[r.key] == r {
		delete(p.pods, r.key)
	}
}

// container finds a running Pod's container for exec and logs.
func (p *Provider) container(namespace, name, container string) (*podRuntime, *container, error) {
	r := p.lookup(podKey(namespace, name))
	if r == nil {
		return nil, nil, errdefs.NotFoundf("pod %s/%s is not on this node", namespace, name)
	}
	c, err := r.findContainer(container)
	if err != nil {
		return nil, nil, errdefs.AsNotFound(err)
	}
	return r, c, nil
}
