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
	"bufio"
	"context"
	"fmt"
	"time"
)

// TCPEcho has server listen on addr (ip:port) and client send one line to it,
// which must come back within timeout.
func TCPEcho(ctx context.Context, server, client *Pod, addr string, timeout time.Duration) error {
	l, err := server.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s in %s: %w", addr, server.Name, err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(timeout))
		line, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Fprint(c, line)
	}()
	c, err := client.Dial(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("TCP connect from %s to %s: %w", client.Name, addr, err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(c, "hello"); err != nil {
		return fmt.Errorf("sending to %s: %w", addr, err)
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("reading the echo from %s: %w", addr, err)
	}
	if got != "hello\n" {
		return fmt.Errorf("echo from %s: got %q, want %q", addr, got, "hello\n")
	}
	return nil
}
