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
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"
)

// containerIDPrefix is the runtime scheme of container IDs in Pod statuses.
const containerIDPrefix = "strata-vnode://"

// container is one container of a Pod: its process, restarts and probe results.
// Fields after spec are guarded by the Pod's mutex.
type container struct {
	r      *podRuntime
	spec   corev1.Container
	isInit bool

	id          string
	state       corev1.ContainerState
	last        corev1.ContainerState
	restarts    int32
	everStarted bool
	ready       bool
	started     bool
	proc        *process
	mntns       string // the mount namespace file, set once by setupMounts
	killMsg     string
	logs        []string      // the log file of each start, in order
	runDone     chan struct{} // closed when the current start ends
}

func newContainer(r *podRuntime, spec corev1.Container, isInit bool) *container {
	return &container{r: r, spec: spec, isInit: isInit,
		state: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}
}

// statusLocked is the container's status.
func (c *container) statusLocked() corev1.ContainerStatus {
	started := c.started
	s := corev1.ContainerStatus{
		Name:                 c.spec.Name,
		Image:                c.spec.Image,
		ImageID:              c.spec.Image,
		State:                *c.state.DeepCopy(),
		LastTerminationState: *c.last.DeepCopy(),
		Ready:                c.ready,
		RestartCount:         c.restarts,
		Started:              &started,
	}
	if c.id != "" {
		s.ContainerID = containerIDPrefix + c.id
	}
	return s
}

// runResult is how one start of a container ended.
type runResult struct {
	started  bool // false: the process could not be started
	exitCode int
	ranFor   time.Duration
}

// run starts the container and restarts it as its restartPolicy says, with
// kubelet's back-off, until it is done for good or ctx is done (then its process
// is stopped with the Pod's grace period). It returns the last result.
func (c *container) run(ctx context.Context) runResult {
	bo := backoff{initial: c.r.cfg().RestartBackoff, max: c.r.cfg().RestartBackoffMax}
	for {
		res := c.runOnce(ctx)
		if ctx.Err() != nil {
			return res
		}
		if res.started && !shouldRestart(c.r.restartPolicy(), c.isInit, res.exitCode) {
			return res
		}
		delay := bo.next(res.ranFor)
		if delay > 0 && res.started {
			c.setWaiting("CrashLoopBackOff", fmt.Sprintf("back-off %s restarting failed container=%s pod=%s", delay, c.spec.Name, c.r.name()))
		}
		if !sleepCtx(ctx, delay) {
			return res
		}
	}
}

// shouldRestart applies restartPolicy to an exited container; init containers
// are restarted only on failure, and never with restartPolicy Never.
func shouldRestart(policy corev1.RestartPolicy, isInit bool, exitCode int) bool {
	switch {
	case policy == corev1.RestartPolicyNever:
		return false
	case isInit || policy == corev1.RestartPolicyOnFailure:
		return exitCode != 0
	default:
		return true
	}
}

func (c *container) runOnce(ctx context.Context) runResult {
	argv, err := c.r.p.resolver.containerArgv(c.r.name(), &c.spec)
	if err != nil {
		c.setWaiting("CreateContainerError", err.Error())
		return runResult{}
	}
	logPath, logFile, err := c.openLog()
	if err != nil {
		c.setWaiting("CreateContainerError", err.Error())
		return runResult{}
	}
	proc, err := startProcess(procSpec{Argv: argv, Env: c.r.p.containerEnv(c.r.host.Kernel, &c.spec), Dir: c.r.dir,
		NetNS: c.r.netnsPath(), MntNS: c.mountNS(), UTSNS: c.r.utsnsPath(), Stdout: logFile, Stderr: logFile})
	_ = logFile.Close()
	if err != nil {
		c.setWaiting("RunContainerError", err.Error())
		return runResult{}
	}
	klog.FromContext(ctx).V(2).Info("Started container", "pod", c.r.key, "container", c.spec.Name, "pid", proc.pid, "argv", argv)
	runDone := c.setRunning(proc, logPath)
	runCtx, cancel := context.WithCancel(ctx)
	go c.probe(runCtx, proc)
	select {
	case <-proc.done:
	case <-ctx.Done():
		if err := proc.stop(c.r.gracePeriod()); err != nil {
			klog.FromContext(ctx).Error(err, "Stopping container", "pod", c.r.key, "container", c.spec.Name)
		}
	}
	cancel()
	c.setTerminated(proc)
	close(runDone)
	return runResult{started: true, exitCode: proc.exitCode, ranFor: proc.finished.Sub(proc.started)}
}

// openLog creates the log file of the next start: logs/<container>/<n>.log.
func (c *container) openLog() (string, *os.File, error) {
	c.r.mu.Lock()
	n := len(c.logs)
	c.r.mu.Unlock()
	dir := filepath.Join(c.r.dir, "logs", c.spec.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("log dir: %w", err)
	}
	path := filepath.Join(dir, strconv.Itoa(n)+".log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return "", nil, fmt.Errorf("log file: %w", err)
	}
	return path, f, nil
}

func (c *container) setWaiting(reason, message string) {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	c.state = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}
	c.r.notifyLocked()
}

func (c *container) setRunning(proc *process, logPath string) chan struct{} {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	if c.everStarted {
		c.restarts++
	}
	c.everStarted = true
	if c.state.Terminated != nil {
		c.last = c.state
	}
	c.id = randomHex(64)
	c.proc = proc
	c.logs = append(c.logs, logPath)
	c.runDone = make(chan struct{})
	c.state = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(proc.started)}}
	c.started, c.ready = false, false
	c.r.persistLocked()
	c.r.notifyLocked()
	return c.runDone
}

func (c *container) setTerminated(proc *process) {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	reason := "Completed"
	if proc.exitCode != 0 {
		reason = "Error"
	}
	msg := c.killMsg
	if proc.waitErr != nil {
		msg = proc.waitErr.Error()
	}
	c.state = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: int32(proc.exitCode), Reason: reason, Message: msg, ContainerID: containerIDPrefix + c.id,
		StartedAt: metav1.NewTime(proc.started), FinishedAt: metav1.NewTime(proc.finished),
	}}
	c.proc, c.killMsg, c.started, c.ready = nil, "", false, false
	c.r.persistLocked()
	c.r.notifyLocked()
}

// setStarted marks the container started (its startup probe, if any, succeeded);
// without a readiness probe it is ready as well.
func (c *container) setStarted() {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	if c.state.Running == nil {
		return
	}
	c.started = true
	if c.spec.ReadinessProbe == nil {
		c.ready = true
	}
	c.r.notifyLocked()
}

func (c *container) setReady(ready bool) {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	if c.state.Running == nil || c.ready == ready {
		return
	}
	c.ready = ready
	c.r.notifyLocked()
}

// kill stops the container's process because a probe failed; run then restarts
// it as restartPolicy says.
func (c *container) kill(proc *process, p *corev1.Probe, msg string) {
	c.r.mu.Lock()
	c.killMsg = msg
	c.r.mu.Unlock()
	grace := c.r.gracePeriod()
	if p.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*p.TerminationGracePeriodSeconds) * time.Second
	}
	go func() { _ = proc.stop(grace) }()
}

// probe runs the container's probes while its process runs: the startup probe
// first, then liveness and readiness.
func (c *container) probe(ctx context.Context, proc *process) {
	target := c.r.probeTarget(&c.spec)
	if sp := c.spec.StartupProbe; sp != nil {
		sctx, cancel := context.WithCancel(ctx)
		ok := false
		probeLoop(sctx, sp, false, target.check, func(success bool, msg string) {
			ok = success
			if !success {
				c.kill(proc, sp, "startup probe failed: "+msg)
			}
			cancel()
		})
		cancel()
		if !ok {
			return
		}
	}
	c.setStarted()
	if rp := c.spec.ReadinessProbe; rp != nil {
		go probeLoop(ctx, rp, false, target.check, func(ok bool, _ string) { c.setReady(ok) })
	}
	if lp := c.spec.LivenessProbe; lp != nil {
		probeLoop(ctx, lp, true, target.check, func(ok bool, msg string) {
			if !ok {
				c.kill(proc, lp, "liveness probe failed: "+msg)
			}
		})
	}
}

// finalizeLocked gives a container that never ran or is not yet terminated a
// terminal state, for the last status of a deleted Pod.
func (c *container) finalizeLocked(now metav1.Time) {
	if c.state.Terminated != nil {
		return
	}
	c.ready, c.started = false, false
	if c.last.Terminated != nil { // waiting to restart: its last exit is its last word
		c.state, c.last = c.last, corev1.ContainerState{}
		return
	}
	c.state = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: 137, Reason: "ContainerStatusUnknown", FinishedAt: now,
		Message: "the Pod was deleted before the container ran to completion",
	}}
}

// backoff is kubelet's container restart back-off: the first restart is
// immediate, then initial, doubled up to max; a start that ran for 2×max resets it.
type backoff struct {
	initial, max, cur time.Duration
}

func (b *backoff) next(ranFor time.Duration) time.Duration {
	if ranFor >= 2*b.max {
		b.cur = 0
	}
	d := b.cur
	switch {
	case b.cur == 0:
		b.cur = b.initial
	case 2*b.cur > b.max:
		b.cur = b.max
	default:
		b.cur *= 2
	}
	return d
}

// sleepCtx sleeps for d unless ctx is done first; it reports whether it slept.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
