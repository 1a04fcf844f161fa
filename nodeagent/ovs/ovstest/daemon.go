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

package ovstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// stopTimeout is how long a daemon gets to exit after SIGTERM before SIGKILL.
const stopTimeout = 10 * time.Second

// daemon is an OVS process run in the foreground (no --detach), so that its
// PID is the exec.Cmd's and it can be stopped by PID and reaped.
type daemon struct {
	name    string
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

// startDaemon starts argv with stdout/stderr appended to <logDir>/<name>.out.
// The child gets SIGKILL if the test process dies without cleaning up.
func startDaemon(name, logDir string, env []string, argv ...string) (*daemon, error) {
	out, err := os.OpenFile(filepath.Join(logDir, name+".out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	defer out.Close() // the child has its own copy
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := startOnSpawner(cmd); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	d := &daemon{name: name, cmd: cmd, exited: make(chan struct{})}
	go func() {
		d.waitErr = cmd.Wait()
		close(d.exited)
	}()
	return d, nil
}

// Pdeathsig fires when the *thread* that forked the child exits, and Go
// terminates threads whose goroutine exits while locked (as Pod.Do does). So
// daemons are forked from one locked goroutine that lives as long as the test
// process: they die with the process, and only then.
var (
	spawnOnce sync.Once
	spawnCh   chan spawnRequest
)

type spawnRequest struct {
	cmd *exec.Cmd
	err chan error
}

func startOnSpawner(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnCh = make(chan spawnRequest)
		go func() {
			runtime.LockOSThread() // never unlocked: this thread must not exit
			for req := range spawnCh {
				req.err <- req.cmd.Start()
			}
		}()
	})
	errCh := make(chan error, 1)
	spawnCh <- spawnRequest{cmd: cmd, err: errCh}
	return <-errCh
}

// pid returns the daemon's process id.
func (d *daemon) pid() int { return d.cmd.Process.Pid }

// exitedErr returns an error if the daemon has exited, nil while it runs.
func (d *daemon) exitedErr() error {
	select {
	case <-d.exited:
		return fmt.Errorf("%s (pid %d) exited: %v", d.name, d.pid(), d.waitErr)
	default:
		return nil
	}
}

// stop sends SIGTERM to the daemon's PID, waits for it to exit and, after
// stopTimeout, kills it. It is a no-op for an exited daemon.
func (d *daemon) stop() error {
	if d.exitedErr() != nil {
		return nil
	}
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("stop %s (pid %d): %w", d.name, d.pid(), err)
	}
	select {
	case <-d.exited:
		return nil
	case <-time.After(stopTimeout):
	}
	if err := d.cmd.Process.Kill(); err != nil {
		return fmt.Errorf("kill %s (pid %d): %w", d.name, d.pid(), err)
	}
	<-d.exited
	return fmt.Errorf("%s (pid %d) ignored SIGTERM for %v and was killed", d.name, d.pid(), stopTimeout)
}
