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
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	midNamespace = "e2e-midstream"
	midPort      = 8080
	// midResetTimeout bounds how long the rejected connection's next segment takes
	// to be answered: ovs-vswitchd restarting, the agent replaying its flows, TCP
	// retransmitting.
	midResetTimeout = 90 * time.Second
)

var midPods = manifests([]string{midNamespace},
	agnhostPod{midNamespace, "srv", "app: mid-srv", 1, fmt.Sprintf("netexec, --http-port=%d", midPort)},
	agnhostPod{midNamespace, "client", "app: mid-client", 2, "pause"})

const midPolicy = `apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-midstream-reject}
spec:
  tier: securityops
  priority: 1
  appliedTo: [{podSelector: {matchLabels: {app: mid-srv}}}]
  ingress:
  - {action: Reject, name: reject-client, from: [{podSelector: {matchLabels: {app: mid-client}}}], ports: [{protocol: TCP, port: 8080}]}
`

// TestRejectMidStream: a connection established before a Reject rule keeps working
// (established connections are not evaluated again); once the server's Node loses
// its connection tracking (ovs-vswitchd crashes and is restarted), the
// connection's next segment is evaluated as new, and the Reject answers it with a
// reset the client accepts (RST at seq = the segment's ACK number, RFC 9293
// §3.10.7.1): the client's read fails with ECONNRESET. A reset at seq 0 would be
// outside the client's window and ignored, and the read would time out.
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

// echoConn is an HTTP/1.1 keep-alive connection to agnhost netexec's /echo.
type echoConn struct {
	net.Conn
	r *bufio.Reader
}

// dialEcho connects from a Pod's network namespace.
func dialEcho(netns, addr string) (*echoConn, error) {
	target, err := ns.GetNS(netns)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", netns, err)
	}
	defer target.Close()
	var c net.Conn
	err = target.Do(func(ns.NetNS) error {
		var err error
		c, err = net.DialTimeout("tcp", addr, probeTimeout)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &echoConn{Conn: c, r: bufio.NewReader(c)}, nil
}

func (c *echoConn) echo(msg string) error { return c.echoWithin(msg, 5*time.Second) }

// echoWithin sends one request on the connection and reads its answer.
func (c *echoConn) echoWithin(msg string, d time.Duration) error {
	if err := c.SetDeadline(time.Now().Add(d)); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(c, "GET /echo?msg=%s HTTP/1.1\r\nHost: srv\r\n\r\n", msg); err != nil {
		return err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body := make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, body); err != nil {
		return err
	}
	if string(body) != msg {
		return fmt.Errorf("echoed %q, want %q", body, msg)
	}
	return nil
}
