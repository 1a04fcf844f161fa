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
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// procSpec is a process to start inside a network namespace.
type procSpec struct {
	Argv   []string
	Env    []string
	Dir    string
	NetNS  string // path; empty is the program's namespace
	MntNS  string // mount namespace file; empty is the program's namespace
	UTSNS  string // UTS namespace file; empty is the program's namespace
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// TTY is the terminal's replica end: the process gets it as stdin, stdout,
	// stderr and controlling terminal, in a new session.
	TTY *os.File
	// WaitDelay bounds the wait for I/O copying after the process exits.
	WaitDelay time.Duration
}

// process is a started process, its own process group leader.
type process struct {
	cmd        *exec.Cmd
	pid        int
	startTicks uint64 // start time in clock ticks since boot (/proc/PID/stat)
	started    time.Time
	done       chan struct{} // closed once waited for
	exitCode   int
	finished   time.Time
	waitErr    error
}

// startProcess starts spec's process in spec.NetNS, spec.MntNS and spec.UTSNS.
func startProcess(spec procSpec) (*process, error) {
	if len(spec.Argv) == 0 {
		return nil, errors.New("empty command")
	}
	cmd := &exec.Cmd{Path: spec.Argv[0], Args: spec.Argv, Env: spec.Env, Dir: spec.Dir,
		Stdin: spec.Stdin, Stdout: spec.Stdout, Stderr: spec.Stderr, WaitDelay: spec.WaitDelay}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if spec.TTY != nil {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = spec.TTY, spec.TTY, spec.TTY
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	}
	if err := inNamespaces(namespaces{Net: spec.NetNS, Mnt: spec.MntNS, UTS: spec.UTSNS}, cmd.Start); err != nil {
		return nil, fmt.Errorf("starting %q: %w", spec.Argv[0], err)
	}
	p := &process{cmd: cmd, pid: cmd.Process.Pid, started: time.Now(), done: make(chan struct{})}
	p.startTicks, _ = procStartTicks(p.pid)
	go p.wait()
	return p, nil
}

func (p *process) wait() {
	err := p.cmd.Wait()
	p.finished = time.Now()
	p.exitCode = exitCode(p.cmd.ProcessState)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		p.waitErr = err
	}
	close(p.done)
}

// exitCode is the exit status, or 128+signal for a process killed by a signal, as
// container runtimes report it.
func exitCode(ps *os.ProcessState) int {
	if ps == nil {
		return 128
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// exited reports whether the process has been waited for.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal signals the process group (children of shells too).
func (p *process) signal(sig syscall.Signal) {
	if p.exited() {
		return
	}
	if err := syscall.Kill(-p.pid, sig); err != nil {
		_ = syscall.Kill(p.pid, sig)
	}
}

// stop sends SIGTERM, then SIGKILL after grace, and waits for the exit (bounded:
// a SIGKILLed process is reaped at once unless stuck in the kernel).
func (p *process) stop(grace time.Duration) error {
	if p.exited() {
		return nil
	}
	if grace > 0 {
		p.signal(syscall.SIGTERM)
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-p.done:
			return nil
		case <-t.C:
		}
	}
	p.signal(syscall.SIGKILL)
	select {
	case <-p.done:
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("process %d did not exit 30s after SIGKILL", p.pid)
	}
}

// procStartTicks reads a process's start time (field 22 of /proc/PID/stat), which
// tells a process apart from a later one with the same PID.
func procStartTicks(pid int) (uint64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command field", pid)
	}
	fields := strings.Fields(s[i+1:])
	// fields[0] is field 3 (state); field 22 is fields[19].
	if len(fields) < 20 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields)+2)
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

// killRecorded kills the process group of a process recorded by an earlier run,
// if that process still exists (same PID and start time).
func killRecorded(pid int, startTicks uint64) bool {
	if pid <= 1 {
		return false
	}
	ticks, err := procStartTicks(pid)
	if err != nil || ticks != startTicks {
		return false
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return true
}
