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
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
)

// defaultGracePeriod applies when neither the deletion nor the spec gives one.
const defaultGracePeriod = 30 * time.Second

// podRuntime is one Pod on the node: its sandbox and containers, driven by run.
// The fields after mu are guarded by it (containers' mutable fields too).
type podRuntime struct {
	p         *Provider
	key       string
	namespace string
	podName   string
	uid       types.UID
	policy    corev1.RestartPolicy
	hostNet   bool
	host      podHostname // the Pod's hostname; hostErr when it has none
	hostErr   error
	dir       string
	ctx       context.Context
	cancel    context.CancelFunc
	done      chan struct{}

	mu           sync.Mutex
	pod          *corev1.Pod
	state        podState
	ips          []string
	sandboxReady bool
	sandboxMsg   string
	startTime    metav1.Time
	init         []*container
	containers   []*container
	terminating  bool
	deleted      bool // terminated by DeletePod (not by a shutdown or a replacement)
	grace        time.Duration
	status       corev1.PodStatus
	removed      bool
}

func newPodRuntime(ctx context.Context, p *Provider, pod *corev1.Pod) (*podRuntime, error) {
	id := string(pod.UID)
	if id == "" {
		id = pod.Namespace + "_" + pod.Name
	}
	r := &podRuntime{p: p, key: podKey(pod.Namespace, pod.Name), namespace: pod.Namespace, podName: pod.Name,
		uid: pod.UID, policy: pod.Spec.RestartPolicy, hostNet: pod.Spec.HostNetwork, dir: filepath.Join(podsDir(p.cfg.StateDir), id),
		done: make(chan struct{}), pod: pod.DeepCopy(), grace: gracePeriodOf(pod), startTime: metav1.Now()}
	if pod.Status.StartTime != nil {
		r.startTime = *pod.Status.StartTime
	}
	if r.policy == "" {
		r.policy = corev1.RestartPolicyAlways
	}
	r.host, r.hostErr = hostnameOf(pod, p.cfg.ClusterDomain)
	for _, c := range pod.Spec.InitContainers {
		r.init = append(r.init, newContainer(r, c, true))
	}
	for _, c := range pod.Spec.Containers {
		r.containers = append(r.containers, newContainer(r, c, false))
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return nil, fmt.Errorf("pod dir: %w", err)
	}
	r.ctx, r.cancel = context.WithCancel(klog.NewContext(context.WithoutCancel(ctx),
		klog.FromContext(ctx).WithValues("pod", r.key)))
	return r, nil
}

func podKey(namespace, name string) string { return namespace + "/" + name }

// gracePeriodOf is the deletion's grace period, else the spec's, else 30s.
func gracePeriodOf(pod *corev1.Pod) time.Duration {
	switch {
	case pod.DeletionGracePeriodSeconds != nil:
		return time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
	case pod.Spec.TerminationGracePeriodSeconds != nil:
		return time.Duration(*pod.Spec.TerminationGracePeriodSeconds) * time.Second
	default:
		return defaultGracePeriod
	}
}

func (r *podRuntime) cfg() *RuntimeConfig                 { return &r.p.cfg }
func (r *podRuntime) name() string                        { return r.podName }
func (r *podRuntime) restartPolicy() corev1.RestartPolicy { return r.policy }

func (r *podRuntime) gracePeriod() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.grace
}

func (r *podRuntime) netnsPath() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state.Sandbox.NetNS
}

func (r *podRuntime) utsnsPath() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state.UTSNS
}

func (r *podRuntime) probeTarget(c *corev1.Container) *probeTarget {
	r.mu.Lock()
	defer r.mu.Unlock()
	ip := ""
	if len(r.ips) > 0 {
		ip = r.ips[0]
	}
	return &probeTarget{hostNetNS: r.p.cfg.HostNetNS, podNetNS: r.state.Sandbox.NetNS, podIP: ip, dir: r.dir,
		mntNS: r.state.MountNS[c.Name], utsNS: r.state.UTSNS, env: r.p.containerEnv(r.host.Kernel, c), container: c, resolver: r.p.resolver}
}

// start runs the Pod in the background.
func (r *podRuntime) start() {
	r.mu.Lock()
	r.notifyLocked()
	r.mu.Unlock()
	go r.run()
}

// terminate stops the Pod with grace period grace; run then tears it down.
// deleted says the Pod is being deleted from the API.
func (r *podRuntime) terminate(grace time.Duration, deleted bool) {
	r.mu.Lock()
	if !r.terminating || grace < r.grace {
		r.grace = grace
	}
	r.terminating = true
	r.deleted = r.deleted || deleted
	r.notifyLocked()
	r.mu.Unlock()
	r.cancel()
}

func (r *podRuntime) run() {
	defer close(r.done)
	ctx := r.ctx
	if r.setupSandbox(ctx) && r.setupMounts(ctx) && r.runInit(ctx) {
		r.runContainers(ctx)
	}
	if ctx.Err() == nil {
		klog.FromContext(ctx).Info("Pod finished, releasing its network")
		r.releaseNetwork(ctx)
		<-ctx.Done()
	}
	r.teardown()
}

// setupSandbox creates the sandbox, retrying (TRY_AGAIN_LATER sooner) until it
// succeeds or ctx is done.
func (r *podRuntime) setupSandbox(ctx context.Context) bool {
	delay := 250 * time.Millisecond
	for {
		err := r.trySandbox(ctx)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		limit := r.p.cfg.CNIRetryMax
		if isTryAgainLater(err) {
			limit = min(limit, 2*time.Second)
		}
		delay = min(delay, limit)
		klog.FromContext(ctx).Error(err, "Creating the pod sandbox, will retry", "after", delay)
		r.setSandboxError(err)
		if !sleepCtx(ctx, delay) {
			return false
		}
		delay *= 2
	}
}

func (r *podRuntime) trySandbox(ctx context.Context) error {
	if r.hostErr != nil {
		return r.hostErr
	}
	if r.hostNet {
		return r.hostSandbox(ctx)
	}
	if err := r.ensureUTSNS(); err != nil {
		return err
	}
	ref, err := r.ensureNetNS()
	if err != nil {
		return err
	}
	list, err := r.p.cni.load()
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.state.Network = list.Name
	r.persistLocked()
	r.mu.Unlock()
	res, err := r.p.cni.add(ctx, list, ref)
	var ips []string
	if err == nil {
		if ips = podIPs(res, ref.NetNS); len(ips) == 0 {
			err = fmt.Errorf("CNI ADD (network %q): no IP address on %s in the result", list.Name, podIfName)
		}
	}
	if err != nil {
		// Undo what the failed ADD may have done, as a runtime does.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cniDelTimeout)
		defer cancel()
		if derr := r.p.cni.del(dctx, ref, list.Name); derr != nil {
			klog.FromContext(ctx).V(2).Info("CNI DEL after a failed ADD", "err", derr)
		}
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ips, r.sandboxReady, r.sandboxMsg = ips, true, ""
	for _, c := range r.containers {
		if len(r.init) > 0 && c.state.Waiting != nil {
			c.state.Waiting.Reason = "PodInitializing"
		}
	}
	r.notifyLocked()
	klog.FromContext(ctx).Info("Pod sandbox ready", "netns", ref.NetNS, "ips", ips)
	return nil
}

// hostSandbox is the sandbox of a hostNetwork Pod: the node's own namespace and
// address, without CNI, as a kubelet does.
func (r *podRuntime) hostSandbox(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state.Sandbox = sandboxRef{ID: randomHex(64), NetNS: r.p.cfg.HostNetNS, HostNetwork: true,
		Namespace: r.namespace, Name: r.podName, UID: string(r.uid)}
	r.ips, r.sandboxReady, r.sandboxMsg = []string{r.p.cfg.NodeIP}, true, ""
	r.persistLocked()
	r.notifyLocked()
	klog.FromContext(ctx).Info("Pod sandbox ready (host network)", "netns", r.p.cfg.HostNetNS)
	return nil
}

// ensureNetNS creates the sandbox namespace once.
func (r *podRuntime) ensureNetNS() (sandboxRef, error) {
	r.mu.Lock()
	ref := r.state.Sandbox
	r.mu.Unlock()
	if ref.NetNS != "" {
		return ref, nil
	}
	ref = sandboxRef{ID: randomHex(64), Namespace: r.namespace, Name: r.podName, UID: string(r.uid),
		NetNS: filepath.Join(r.p.cfg.NetNSDir, netnsName(r.p.cfg.NodeName))}
	if err := createNetNS(ref.NetNS); err != nil {
		return ref, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state.Sandbox = ref
	r.persistLocked()
	return ref, nil
}

// ensureUTSNS creates the Pod's UTS namespace, named after the Pod, once.
func (r *podRuntime) ensureUTSNS() error {
	r.mu.Lock()
	done := r.state.UTSNS != ""
	r.mu.Unlock()
	if done {
		return nil
	}
	path := filepath.Join(utsnsDir(r.p.cfg.StateDir), filepath.Base(r.dir))
	if err := createUTSNS(path, r.host.Kernel); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state.UTSNS = path
	r.persistLocked()
	return nil
}

// netnsName is vnode-<node>-<random>, so that a node's namespaces are easy to find.
func netnsName(node string) string {
	node = strings.Map(func(c rune) rune {
		if c == '/' || c == 0 {
			return '_'
		}
		return c
	}, node)
	return "vnode-" + node + "-" + randomHex(8)
}

func (r *podRuntime) setSandboxError(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sandboxMsg = err.Error()
	for _, c := range append(append([]*container(nil), r.init...), r.containers...) {
		if c.state.Waiting != nil {
			c.state.Waiting.Message = "pod sandbox: " + err.Error()
		}
	}
	r.notifyLocked()
}

// runInit runs the init containers in order; it reports whether all succeeded.
func (r *podRuntime) runInit(ctx context.Context) bool {
	for _, c := range r.init {
		res := c.run(ctx)
		if ctx.Err() != nil || !res.started || res.exitCode != 0 {
			return false
		}
	}
	return true
}

// runContainers runs the containers until each is done for good or ctx is done.
func (r *podRuntime) runContainers(ctx context.Context) {
	var wg sync.WaitGroup
	for _, c := range r.containers {
		wg.Add(1)
		go func() { defer wg.Done(); c.run(ctx) }()
	}
	wg.Wait()
}

// releaseNetwork detaches and removes the sandbox of a finished Pod, as a kubelet
// does; the logs stay until the Pod is deleted. When DEL fails, the state keeps
// the network so that the teardown tries again.
func (r *podRuntime) releaseNetwork(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	r.mu.Lock()
	st := r.state
	r.mu.Unlock()
	err := teardownSandbox(ctx, r.p.cni, &st, 3)
	if err != nil {
		klog.FromContext(ctx).Error(err, "Releasing the network of a finished pod")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.state.Network, r.state.Sandbox.NetNS, r.state.UTSNS = "", "", ""
		r.persistLocked()
	}
	r.sandboxReady = false
	r.notifyLocked()
}

// teardown removes everything of a deleted Pod, sends its last status and
// forgets it.
func (r *podRuntime) teardown() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), 2*time.Minute)
	defer cancel()
	logger := klog.FromContext(ctx)
	r.mu.Lock()
	st := r.state
	r.mu.Unlock()
	if err := teardownSandbox(ctx, r.p.cni, &st, 3); err != nil {
		logger.Error(err, "Tearing down the pod sandbox")
	}
	r.mu.Lock()
	r.removed = true
	if err := os.RemoveAll(r.dir); err != nil {
		logger.Error(err, "Removing the pod directory")
	}
	now := metav1.Now()
	for _, c := range append(append([]*container(nil), r.init...), r.containers...) {
		c.finalizeLocked(now)
	}
	r.sandboxReady = false
	r.notifyLocked()
	pod, deleted := r.podLocked(), r.deleted
	r.mu.Unlock()
	r.p.forget(r)
	logger.Info("Pod deleted")
	if deleted {
		r.p.podDeleted(ctx, pod)
	}
}

// persistLocked writes the state file.
func (r *podRuntime) persistLocked() {
	if r.removed {
		return
	}
	st := podState{Sandbox: r.state.Sandbox, Network: r.state.Network, UTSNS: r.state.UTSNS, MountNS: r.state.MountNS}
	for _, c := range append(append([]*container(nil), r.init...), r.containers...) {
		if c.proc != nil {
			st.Processes = append(st.Processes, procRecord{Container: c.spec.Name, PID: c.proc.pid, StartTicks: c.proc.startTicks})
		}
	}
	r.state.Processes = st.Processes
	if err := writeState(r.dir, &st); err != nil {
		klog.FromContext(r.ctx).Error(err, "Saving the pod state")
	}
}

// statusLocked computes the Pod's status.
func (r *podRuntime) statusLocked() corev1.PodStatus {
	prev := r.pod.DeepCopy()
	if len(r.status.Conditions) > 0 {
		prev.Status.Conditions = r.status.Conditions
	}
	in := statusInput{Pod: prev, HostIP: r.p.cfg.NodeIP, PodIPs: r.ips, StartTime: r.startTime,
		SandboxReady: r.sandboxReady, SandboxMessage: r.sandboxMsg, Terminating: r.terminating, Now: metav1.Now()}
	for _, c := range r.init {
		in.Init = append(in.Init, c.statusLocked())
	}
	for _, c := range r.containers {
		in.Containers = append(in.Containers, c.statusLocked())
	}
	st := computeStatus(in)
	st.Conditions = append(st.Conditions, foreignConditions(r.pod.Status.Conditions, st.Conditions)...)
	return st
}

// foreignConditions are the conditions others set on the Pod (readiness gates,
// disruption targets), which a status update must keep.
func foreignConditions(apiConds, ours []corev1.PodCondition) []corev1.PodCondition {
	var out []corev1.PodCondition
	for _, c := range apiConds {
		mine := false
		for _, o := range ours {
			mine = mine || o.Type == c.Type
		}
		if !mine {
			out = append(out, c)
		}
	}
	return out
}

// notifyLocked recomputes the status and, when it changed, tells virtual-kubelet.
func (r *podRuntime) notifyLocked() {
	st := r.statusLocked()
	if apiequality.Semantic.DeepEqual(st, r.status) {
		return
	}
	r.status = st
	r.p.notifier.push(r.key, r.podLocked())
}

// podLocked is a copy of the Pod with its current status.
func (r *podRuntime) podLocked() *corev1.Pod {
	pod := r.pod.DeepCopy()
	pod.Status = *r.status.DeepCopy()
	return pod
}

func (r *podRuntime) update(pod *corev1.Pod) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pod = pod.DeepCopy()
}

// findContainer returns the named container (the first one for ""), init
// containers included.
func (r *podRuntime) findContainer(name string) (*container, error) {
	if name == "" && len(r.containers) > 0 {
		return r.containers[0], nil
	}
	for _, c := range append(append([]*container(nil), r.containers...), r.init...) {
		if c.spec.Name == name {
			return c, nil
		}
	}
	return nil, fmt.Errorf("pod %s has no container %q", r.key, name)
}
