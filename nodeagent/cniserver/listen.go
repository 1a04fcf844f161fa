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

package cniserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/klog/v2"

	"github.com/strata-net/strata/cni"
)

// ioTimeout bounds reading a request and writing its response.
const ioTimeout = 10 * time.Second

// Run listens on the socket (mode 0600, replacing a stale socket) and serves
// until ctx ends, then waits for the requests in flight and removes the socket.
func (s *Server) Run(ctx context.Context) error {
	l, err := s.listen()
	if err != nil {
		return err
	}
	logger := klog.FromContext(ctx)
	logger.Info("CNI server listening", "socket", s.cfg.SocketPath)
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		_ = os.Remove(s.cfg.SocketPath)
		s.ipam.close()
	}()
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("cniserver: accepting on %s: %w", s.cfg.SocketPath, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveConn(ctx, conn)
		}()
	}
}

// listen binds a temporary name, restricts it to 0600 and renames it onto
// SocketPath, so the socket is never reachable with looser permissions.
func (s *Server) listen() (*net.UnixListener, error) {
	path := s.cfg.SocketPath
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("cniserver: creating the socket directory: %w", err)
	}
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	_ = os.Remove(tmp)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("cniserver: listening on %s: %w", tmp, err)
	}
	l.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		l.Close()
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("cniserver: publishing the socket %s: %w", path, err)
	}
	return l, nil
}

// removeStaleSocket removes a socket nobody serves; a live one is an error
// (another agent owns it).
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cniserver: SocketPath %s: %w", path, err)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("cniserver: SocketPath %s exists and is not a socket", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("cniserver: SocketPath %s is served by another process", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("cniserver: removing the stale socket %s: %w", path, err)
	}
	return nil
}

func (s *Server) serveConn(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	logger := klog.FromContext(ctx)
	var req cni.Request
	_ = conn.SetReadDeadline(time.Now().Add(ioTimeout))
	if err := cni.ReadMessage(conn, &req); err != nil {
		logger.Info("Reading a CNI request failed", "err", err)
		return
	}
	resp := s.Handle(ctx, &req)
	_ = conn.SetWriteDeadline(time.Now().Add(ioTimeout))
	if err := cni.WriteMessage(conn, resp); err != nil {
		logger.Info("Answering a CNI request failed; the plugin will retry", "command", req.Command,
			"container", req.ContainerID, "err", err)
	}
}
