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
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// The probes of TestServices, run from inside a Pod's network namespace by
// this process: the socket is opened in the namespace, then used from here.

// svcProbeTimeout bounds one probe of a Service.
const svcProbeTimeout = 5 * time.Second

// dialIn opens a connection to ip:port from the network namespace netns.
func dialIn(ctx context.Context, netns, network, ip string, port int) (net.Conn, error) {
	var c net.Conn
	err := inNetNS(netns, func() error {
		d := net.Dialer{Timeout: svcProbeTimeout}
		var err error
		c, err = d.DialContext(ctx, network, net.JoinHostPort(ip, fmt.Sprint(port)))
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.SetDeadline(time.Now().Add(svcProbeTimeout)); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// httpGet sends one HTTP/1.0 GET for path to ip:port from netns on a new
// connection and returns the body (agnhost netexec: /hostname, /clientip).
func httpGet(ctx context.Context, netns, ip string, port int, path string) (string, error) {
	c, err := dialIn(ctx, netns, "tcp", ip, port)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, ip); err != nil {
		return "", fmt.Errorf("GET %s from %s:%d: %w", path, ip, port, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return "", fmt.Errorf("GET %s from %s:%d: %w", path, ip, port, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s from %s:%d: %s %q %v", path, ip, port, resp.Status, body, err)
	}
	return strings.TrimSpace(string(body)), nil
}

// udpCommand sends an agnhost netexec UDP command (hostname, clientip,
// echo …) to ip:port from netns and returns the answer.
func udpCommand(netns, ip string, port int, cmd string) (string, error) {
	c, err := dialIn(context.Background(), netns, "udp", ip, port)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := io.WriteString(c, cmd); err != nil {
		return "", fmt.Errorf("UDP %q to %s:%d: %w", cmd, ip, port, err)
	}
	buf := make([]byte, 1024)
	n, err := c.Read(buf)
	if err != nil {
		return "", fmt.Errorf("UDP %q to %s:%d: %w", cmd, ip, port, err)
	}
	return strings.TrimSpace(string(buf[:n])), nil
}

// keepAlive is an HTTP/1.1 connection kept open, and the backend that
// answered its first request.
type keepAlive struct {
	conn    net.Conn
	r       *bufio.Reader
	host    string
	backend string
}

// dialKeepAlive opens a connection to ip:port from netns and asks /hostname.
func dialKeepAlive(ctx context.Context, netns, ip string, port int) (*keepAlive, error) {
	c, err := dialIn(ctx, netns, "tcp", ip, port)
	if err != nil {
		return nil, err
	}
	k := &keepAlive{conn: c, r: bufio.NewReader(c), host: ip}
	if k.backend, err = k.get("/hostname"); err != nil {
		c.Close()
		return nil, err
	}
	return k, nil
}

// get sends one request on the connection and returns the body.
func (k *keepAlive) get(path string) (string, error) {
	if err := k.conn.SetDeadline(time.Now().Add(svcProbeTimeout)); err != nil {
		return "", err
	}
	if _, err := fmt.Fprintf(k.conn, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, k.host); err != nil {
		return "", fmt.Errorf("GET %s on a kept connection: %w", path, err)
	}
	resp, err := http.ReadResponse(k.r, nil)
	if err != nil {
		return "", fmt.Errorf("GET %s on a kept connection: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("GET %s on a kept connection: %w", path, err)
	}
	return strings.TrimSpace(string(body)), nil
}

func (k *keepAlive) Close() error { return k.conn.Close() }
