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
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// netnsDir is where "ip netns" keeps its namespace handles.
const netnsDir = "/run/netns"

// Do runs fn on an OS thread that has joined the pod's network namespace.
// Sockets created by fn stay in the pod namespace after Do returns, so
// listeners and connections can be used from any goroutine. The thread is
// never returned to the Go scheduler; it exits with the goroutine.
func (p *Pod) Do(fn func() error) error {
	return inNetNS(p.NetNS, fn)
}

// Listen opens a listener (e.g. "tcp", ":8080") inside the pod namespace.
func (p *Pod) Listen(network, address string) (net.Listener, error) {
	var l net.Listener
	err := p.Do(func() (err error) {
		l, err = net.Listen(network, address)
		return err
	})
	return l, err
}

// Dial connects from inside the pod namespace.
func (p *Pod) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	var c net.Conn
	err := p.Do(func() (err error) {
		var d net.Dialer
		c, err = d.DialContext(ctx, network, address)
		return err
	})
	return c, err
}

func inNetNS(name string, fn func() error) error {
	f, err := os.Open(filepath.Join(netnsDir, name))
	if err != nil {
		return fmt.Errorf("open netns %s: %w", name, err)
	}
	defer f.Close()
	errCh := make(chan error, 1)
	go func() {
		// Locked without a matching unlock: the runtime terminates the thread
		// when this goroutine exits, so no goroutine ever runs in the wrong netns.
		runtime.LockOSThread()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errCh <- fmt.Errorf("setns %s: %w", name, err)
			return
		}
		errCh <- fn()
	}()
	return <-errCh
}
