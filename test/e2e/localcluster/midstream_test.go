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

package localcluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	midNamespace = "e2e-midstream"
	// midPort is the test's own echo server, listening in the server Pod's network
	// namespace without TCP keep-alives: after the Node loses its connection
	// tracking, the server never speaks first (a keep-alive probe from it would be
	// picked up as the server's connection: the known limit in docs/fail-closed.md).
	midPort = 8081
	// midResetTimeout bounds how long the rejected connection's next segment takes
	// to be answered: ovs-vswitchd restarting, the agent replaying its flows, TCP
	// retransmitting.
	midResetTimeout = 90 * time.Second
)

var midPods = manifests([]string{midNamespace},
	agnhostPod{midNamespace, "srv", "app: mid-srv", 1, "pause"},
	agnhostPod{midNamespace, "client", "app: mid-client", 2, "pause"})

const midPolicy = `apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-midstream-reject}
spec:
  tier: securityops
  priority: 1
  appliedTo: [{podSelector: {matchLabels: {app: mid-srv}}}]
  ingress:
  - {action: Reject, name: reject-client, from: [{podSelector: {matchLabels: {app: mid-client}}}], ports: [{protocol: TCP, port: 8081}]}
`

// TestRejectMidStream: a connection established before a Reject rule keeps working
// (established connections are not evaluated again); once the server's Node loses
// its connection tracking (ovs-vswitchd crashes and is restarted), the
// connection's next segment is evaluated as new, and the Reject answers it with a
// reset the client accepts (RST at seq = the segment's ACK number, RFC 9293
// §3.10.7.1): the client's read fails with ECONNRESET. A reset at seq 0 would be
// outside the client's window and ignored, and the read would time out. Neither
// end sends TCP keep-alives, so the client's segment is the first after the restart.
func TestRejectMidStream(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	pods, policy := filepath.Join(dir, "pods.yaml"), filepath.Join(dir, "policy.yaml")
	writeFile(t, pods, midPods)
	writeFile(t, policy, midPolicy)
	deleteOnCleanup(t, policy, pods)
	kubectl(ctx, t, "apply", "-f", pods)
	eventually(ctx, t, settleTimeout, "the mid-stream test's Pods to be Ready", func(ctx context.Context) error {
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, midNamespace, 2)
		return err
	})
	server := net.JoinHostPort(podIP(ctx, t, midNamespace, "srv"), strconv.Itoa(midPort))
	uid := strings.TrimSpace(kubectl(ctx, t, "get", "pod", "-n", midNamespace, "client", "-o", "jsonpath={.metadata.uid}"))
	netns := podNetNS(t, 2, uid)
	srvUID := strings.TrimSpace(kubectl(ctx, t, "get", "pod", "-n", midNamespace, "srv", "-o", "jsonpath={.metadata.uid}"))
	serveEcho(t, podNetNS(t, 1, srvUID), midPort)

	var conn *echoConn
	eventually(ctx, t, settleTimeout, "the client's connection to the server", func(ctx context.Context) error {
		c, err := dialEcho(netns, server)
		if err != nil {
			return err
		}
		if err := c.echo("before"); err != nil {
			_ = c.Close()
			return err
		}
		conn = c
		return nil
	})
	t.Cleanup(func() { _ = conn.Close() })

	kubectl(ctx, t, "apply", "-f", policy)
	waitPolicyRealized(ctx, t, "e2e-midstream-reject", 1)
	eventually(ctx, t, settleTimeout, "a new connection to be refused", func(context.Context) error {
		c, err := dialEcho(netns, server)
		if err == nil {
			_ = c.Close()
			return errors.New("a new connection was accepted")
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("a new connection failed with %v, want ECONNREFUSED (a reset)", err)
		}
		return nil
	})
	if err := conn.echo("established"); err != nil {
		t.Fatalf("the connection established before the Reject broke: %v (established connections are not evaluated again)", err)
	}

	out, err := lc.Script(ctx, "crash-ovs", "--dir", lc.Dir, "--node", "1", "--daemon", "ovs-vswitchd")
	if err != nil {
		t.Fatalf("crash-ovs --node 1 --daemon ovs-vswitchd: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))
	start := time.Now()
	err = conn.echoWithin("after", midResetTimeout)
	switch {
	case err == nil:
		t.Fatal("the connection's next segment was let through after the Node lost its connection tracking; want it rejected")
	case !errors.Is(err, syscall.ECONNRESET):
		t.Fatalf("the connection's next segment failed with %v after %s, want ECONNRESET (a reset the client accepts)",
			err, time.Since(start).Round(time.Millisecond))
	}
	t.Logf("the next segment was reset %s after the crash", time.Since(start).Round(time.Millisecond))
}

// echoConn is a connection to the test's line echo server.
type echoConn struct {
	net.Conn
	r *bufio.Reader
}

// serveEcho listens on port in the network namespace netns, with TCP keep-alives
// off, and echoes every line of every connection until the test ends.
func serveEcho(t *testing.T, netns string, port int) {
	t.Helper()
	var ln net.Listener
	err := framework.InNetNS(netns, func() error {
		var err error
		ln, err = (&net.ListenConfig{KeepAlive: -1}).Listen(context.Background(), "tcp", fmt.Sprintf(":%d", port))
		return err
	})
	if err != nil {
		t.Fatalf("listening on port %d in %s: %v", port, netns, err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
}

// dialEcho connects from a Pod's network namespace.
func dialEcho(netns, addr string) (*echoConn, error) {
	var c net.Conn
	err := framework.InNetNS(netns, func() error {
		var err error
		c, err = (&net.Dialer{Timeout: probeTimeout, KeepAlive: -1}).Dial("tcp", addr)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &echoConn{Conn: c, r: bufio.NewReader(c)}, nil
}

func (c *echoConn) echo(msg string) error { return c.echoWithin(msg, 5*time.Second) }

// echoWithin sends one line on the connection and reads it back.
func (c *echoConn) echoWithin(msg string, d time.Duration) error {
	if err := c.SetDeadline(time.Now().Add(d)); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(c, "%s\n", msg); err != nil {
		return err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return err
	}
	if got := strings.TrimSuffix(line, "\n"); got != msg {
		return fmt.Errorf("echoed %q, want %q", got, msg)
	}
	return nil
}
