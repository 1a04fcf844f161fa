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
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
)

// The API server relay (--apiserver-relay-port). A kubelet gives every
// container KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, the ClusterIP
// and port of the Service default/kubernetes, and in-cluster clients (CoreDNS's
// kubernetes plugin) dial that. In the local cluster, kube-apiserver listens
// on 127.0.0.1 of the machine's namespace, which no Pod can reach, and its
// ClusterIP has no proxy behind it. With the relay, strata-vnode listens on
// NodeIP:port in the node's host namespace (where the Pods' gateway leads) and
// relays every TCP connection, TLS and all, to kube-apiserver; Pods get that
// address in KUBERNETES_SERVICE_HOST/_PORT. kube-apiserver's certificate must
// name the node's IP.

// relayConfig is one relay: a TCP listener in a network namespace forwarding
// to a target address dialled from the program's namespace.
type relayConfig struct {
	// NetNS is where Listen is bound; empty is the program's namespace.
	NetNS  string
	Listen string
	Target string
	// DialTimeout bounds the dial of Target. Default 10s.
	DialTimeout time.Duration
}

// listenRelay binds the relay's listener.
func listenRelay(cfg relayConfig) (net.Listener, error) {
	var l net.Listener
	err := inNetNS(cfg.NetNS, func() error {
		var err error
		l, err = net.Listen("tcp", cfg.Listen)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("API server relay on %s: %w", cfg.Listen, err)
	}
	return l, nil
}

// serveRelay relays l's connections to cfg.Target until ctx is done; then it
// closes l and every relayed connection.
func serveRelay(ctx context.Context, l net.Listener, cfg relayConfig) error {
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	logger := klog.FromContext(ctx).WithValues("listen", l.Addr().String(), "target", cfg.Target)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	go func() {
		<-ctx.Done()
		_ = l.Close()
	}()
	logger.Info("Relaying connections to kube-apiserver")
	for {
		c, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("API server relay: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			relayConn(ctx, c, cfg, logger)
		}()
	}
}

func relayConn(ctx context.Context, c net.Conn, cfg relayConfig, logger klog.Logger) {
	defer c.Close()
	d := net.Dialer{Timeout: cfg.DialTimeout}
	up, err := d.DialContext(ctx, "tcp", cfg.Target)
	if err != nil {
		logger.Error(err, "API server relay: dialling kube-apiserver", "client", c.RemoteAddr().String())
		return
	}
	defer up.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.Close(); _ = up.Close() })
	defer stop()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	<-done
}

// relayTarget is host:port of a kubeconfig's server URL (https://HOST:PORT).
func relayTarget(server string) (string, error) {
	rest, ok := strings.CutPrefix(server, "https://")
	if !ok {
		return "", fmt.Errorf("kube-apiserver %q: not an https:// URL", server)
	}
	rest, _, _ = strings.Cut(rest, "/")
	if _, _, err := net.SplitHostPort(rest); err != nil {
		rest = net.JoinHostPort(rest, "443")
	}
	return rest, nil
}

// containerEnv is the container's environment (see containerEnv) with, when
// the relay runs, the relay's address as the API server's.
func (p *Provider) containerEnv(hostname string, c *corev1.Container) []string {
	env := containerEnv(hostname, c)
	if p.cfg.APIServerRelayPort == 0 {
		return env
	}
	return overrideEnv(env, []string{
		"KUBERNETES_SERVICE_HOST=" + p.cfg.NodeIP,
		"KUBERNETES_SERVICE_PORT=" + strconv.Itoa(p.cfg.APIServerRelayPort),
	})
}

// overrideEnv sets each NAME=VALUE of set in env, in place when NAME is there.
func overrideEnv(env, set []string) []string {
	out := append([]string(nil), env...)
	for _, kv := range set {
		name, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, e := range out {
			if n, _, _ := strings.Cut(e, "="); n == name {
				out[i], replaced = kv, true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}
