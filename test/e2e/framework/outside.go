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

package framework

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
)

// A client outside the cluster: a network namespace on the local cluster's
// underlay bridge (hack/local-cluster/node.sh: worker K is 172.30.0.<10+K>/24
// on the bridge ulbr of the underlay namespace), as a machine of the nodes'
// network would be.

// NodeIP is worker k's InternalIP on the underlay.
func NodeIP(k int) string { return fmt.Sprintf("172.30.0.%d", 10+k) }

// OutsideNetNS creates a network namespace on the underlay of the local
// cluster in dir, with the addresses ips (each /24 on eth0), removed when the
// test ends; it returns its path (/run/netns/NAME, NAME for `ip -n`).
func OutsideNetNS(t testing.TB, dir string, ips ...string) string {
	t.Helper()
	sum := sha1.Sum([]byte(dir))
	ul := "strata-" + hex.EncodeToString(sum[:])[:6] + "-ul"
	last := ips[0][strings.LastIndex(ips[0], ".")+1:]
	name := fmt.Sprintf("strata-out-%d-%s", os.Getpid(), last)
	peer := fmt.Sprintf("o%d-%s", os.Getpid()%100000, last)
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	run("ip", "netns", "add", name)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", name).Run() })
	run("ip", "-n", name, "link", "add", "eth0", "type", "veth", "peer", "name", peer, "netns", ul)
	run("ip", "-n", ul, "link", "set", peer, "master", "ulbr", "up")
	run("ip", "netns", "exec", ul, "ethtool", "-K", peer, "tx", "off")
	for _, ip := range ips {
		run("ip", "-n", name, "addr", "add", ip+"/24", "dev", "eth0")
	}
	run("ip", "-n", name, "link", "set", "eth0", "up")
	run("ip", "-n", name, "link", "set", "lo", "up")
	run("ip", "netns", "exec", name, "ethtool", "-K", "eth0", "tx", "off")
	return "/run/netns/" + name
}

// InNetNS runs f in the network namespace at path (sockets f opens stay there).
func InNetNS(path string, f func() error) error {
	target, err := ns.GetNS(path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer target.Close()
	return target.Do(func(ns.NetNS) error { return f() })
}

// HTTPGetFrom GETs url (http://HOST:PORT/PATH) from inside the network
// namespace at netns within timeout: the connection is dialed on the
// namespace's thread and the request written on it (HTTP/1.0). It returns
// the body of a 200 answer.
func HTTPGetFrom(ctx context.Context, netns, url string, timeout time.Duration) (string, error) {
	hostPort, path, _ := strings.Cut(strings.TrimPrefix(url, "http://"), "/")
	var body string
	err := InNetNS(netns, func() error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", hostPort)
		if err != nil {
			return err
		}
		defer c.Close()
		deadline, _ := ctx.Deadline()
		_ = c.SetDeadline(deadline)
		if _, err := fmt.Fprintf(c, "GET /%s HTTP/1.0\r\nHost: %s\r\n\r\n", path, hostPort); err != nil {
			return err
		}
		b, err := io.ReadAll(c)
		if err != nil {
			return err
		}
		head, rest, ok := strings.Cut(string(b), "\r\n\r\n")
		if !ok || !strings.Contains(head, " 200 ") {
			return fmt.Errorf("GET %s: unexpected answer %q", url, b)
		}
		body = strings.TrimSpace(rest)
		return nil
	})
	return body, err
}
