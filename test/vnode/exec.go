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
	"io"
	"os"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	utilexec "k8s.io/utils/exec"
)

// RunInContainer runs cmd inside the Pod's network namespace and the
// container's mount namespace (kubectl exec): "/agnhost" is the node's agnhost,
// "/coredns" its coredns, other commands are the host's. With a TTY
// the command gets a pseudo-terminal that follows the client's size. A non-zero
// exit is returned as an exit error, which kubectl reports as the exit code.
func (p *Provider) RunInContainer(ctx context.Context, namespace, podName, containerName string, cmd []string, attach api.AttachIO) error {
	r, c, err := p.container(namespace, podName, containerName)
	if err != nil {
		return err
	}
	r.mu.Lock()
	netns, mntns, utsns, ready := r.state.Sandbox.NetNS, c.mntns, r.state.UTSNS, r.sandboxReady
	r.mu.Unlock()
	if !ready {
		return errdefs.InvalidInputf("pod %s: sandbox not ready, cannot exec", r.key)
	}
	argv, err := p.resolver.resolveArgv(cmd)
	if err != nil {
		return errdefs.AsInvalidInput(fmt.Errorf("exec in pod %s: %w", r.key, err))
	}
	spec := procSpec{Argv: argv, Env: p.containerEnv(r.host.Kernel, &c.spec), Dir: r.dir, NetNS: netns, MntNS: mntns, UTSNS: utsns,
		WaitDelay: 2 * time.Second}
	if attach.TTY() {
		return runWithTTY(ctx, spec, attach)
	}
	spec.Stdin = attach.Stdin()
	if out := attach.Stdout(); out != nil {
		spec.Stdout = out
	}
	if errOut := attach.Stderr(); errOut != nil {
		spec.Stderr = errOut
	}
	proc, err := startProcess(spec)
	if err != nil {
		return err
	}
	return waitExec(ctx, proc)
}

func runWithTTY(ctx context.Context, spec procSpec, attach api.AttachIO) error {
	controller, replica, err := openPTY()
	if err != nil {
		return err
	}
	defer controller.Close()
	spec.TTY = replica
	proc, err := startProcess(spec)
	_ = replica.Close()
	if err != nil {
		return err
	}
	if in := attach.Stdin(); in != nil {
		go func() { _, _ = io.Copy(controller, in) }()
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		if out := attach.Stdout(); out != nil {
			_, _ = io.Copy(out, controller) // ends with EIO once the process side is closed
		}
	}()
	go followResize(ctx, proc, controller, attach.Resize())
	err = waitExec(ctx, proc)
	select {
	case <-copied:
	case <-time.After(2 * time.Second):
	}
	return err
}

func followResize(ctx context.Context, proc *process, tty *os.File, sizes <-chan api.TermSize) {
	if sizes == nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-proc.done:
			return
		case s, ok := <-sizes:
			if !ok {
				return
			}
			_ = setWinsize(tty, s.Width, s.Height)
		}
	}
}

// waitExec waits for an exec'd process; the client going away kills it.
func waitExec(ctx context.Context, proc *process) error {
	select {
	case <-proc.done:
	case <-ctx.Done():
		_ = proc.stop(0)
		return ctx.Err()
	}
	if proc.waitErr != nil && !errors.Is(proc.waitErr, os.ErrProcessDone) && proc.cmd.ProcessState == nil {
		return proc.waitErr
	}
	if proc.exitCode != 0 {
		return utilexec.CodeExitError{Err: fmt.Errorf("command terminated with exit code %d", proc.exitCode), Code: proc.exitCode}
	}
	return nil
}

// AttachToContainer is not supported: container processes write to log files.
func (p *Provider) AttachToContainer(_ context.Context, namespace, podName, containerName string, _ api.AttachIO) error {
	return errdefs.InvalidInputf("attach to %s/%s/%s: not supported by strata-vnode (use kubectl logs -f)", namespace, podName, containerName)
}
