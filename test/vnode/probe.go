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
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// probeTarget is what a container's probes reach: tcpSocket and httpGet are
// dialled from the node's host network namespace (the node's gateway path, as a
// kubelet dials them), exec runs inside the Pod's namespace.
type probeTarget struct {
	hostNetNS string
	podNetNS  string
	podIP     string
	mntNS     string
	utsNS     string
	dir       string
	env       []string
	container *corev1.Container
	resolver  *commandResolver
}

// check runs one attempt of p, bounded by its timeout.
func (t *probeTarget) check(ctx context.Context, p *corev1.Probe) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, probeParamsOf(p).timeout)
	defer cancel()
	switch {
	case p.TCPSocket != nil:
		return t.tcpSocket(ctx, p.TCPSocket)
	case p.HTTPGet != nil:
		return t.httpGet(ctx, p.HTTPGet)
	case p.Exec != nil:
		return t.exec(ctx, p.Exec)
	default:
		return false, "unsupported probe handler (tcpSocket, httpGet and exec are supported)"
	}
}

func (t *probeTarget) tcpSocket(ctx context.Context, a *corev1.TCPSocketAction) (bool, string) {
	port, err := resolvePort(a.Port, t.container)
	if err != nil {
		return false, err.Error()
	}
	c, err := t.dialHost(ctx, "tcp", net.JoinHostPort(hostOr(a.Host, t.podIP), strconv.Itoa(port)))
	if err != nil {
		return false, err.Error()
	}
	_ = c.Close()
	return true, ""
}

func (t *probeTarget) httpGet(ctx context.Context, a *corev1.HTTPGetAction) (bool, string) {
	port, err := resolvePort(a.Port, t.container)
	if err != nil {
		return false, err.Error()
	}
	scheme := strings.ToLower(string(a.Scheme))
	if scheme == "" {
		scheme = "http"
	}
	path := a.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	url := fmt.Sprintf("%s://%s%s", scheme, net.JoinHostPort(hostOr(a.Host, t.podIP), strconv.Itoa(port)), path)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err.Error()
	}
	req.Header.Set("User-Agent", "kube-probe/strata-vnode")
	for _, h := range a.HTTPHeaders {
		if strings.EqualFold(h.Name, "Host") {
			req.Host = h.Value
			continue
		}
		req.Header.Add(h.Name, h.Value)
	}
	client := &http.Client{
		Transport: &http.Transport{DialContext: t.dialHost, DisableKeepAlives: true,
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // probes do not verify, as a kubelet's
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode < 200 || resp.StatusCode >= 400 {
		return false, fmt.Sprintf("HTTP probe failed with statuscode: %d: %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	return true, ""
}

func (t *probeTarget) exec(ctx context.Context, a *corev1.ExecAction) (bool, string) {
	argv, err := t.resolver.resolveArgv(a.Command)
	if err != nil {
		return false, err.Error()
	}
	var out bytes.Buffer
	code, err := runToCompletion(ctx, procSpec{Argv: argv, Env: t.env, Dir: t.dir, NetNS: t.podNetNS, MntNS: t.mntNS, UTSNS: t.utsNS,
		Stdout: &out, Stderr: &out, WaitDelay: time.Second})
	if err != nil {
		return false, err.Error()
	}
	if code != 0 {
		return false, fmt.Sprintf("command %q exited with %d: %s", a.Command, code, bytes.TrimSpace(out.Bytes()))
	}
	return true, ""
}

// dialHost dials from the node's host network namespace.
func (t *probeTarget) dialHost(ctx context.Context, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := inNetNS(t.hostNetNS, func() error {
		var d net.Dialer
		var err error
		c, err = d.DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

// runToCompletion runs a process until it exits, killing it when ctx is done.
func runToCompletion(ctx context.Context, spec procSpec) (int, error) {
	p, err := startProcess(spec)
	if err != nil {
		return 0, err
	}
	select {
	case <-p.done:
	case <-ctx.Done():
		_ = p.stop(0)
		return p.exitCode, fmt.Errorf("%q: %w", spec.Argv[0], ctx.Err())
	}
	return p.exitCode, p.waitErr
}

// resolvePort turns a probe port (number or container port name) into a number.
func resolvePort(port intstr.IntOrString, c *corev1.Container) (int, error) {
	if port.Type == intstr.Int {
		if port.IntVal < 1 || port.IntVal > 65535 {
			return 0, fmt.Errorf("probe port %d is not in 1-65535", port.IntVal)
		}
		return int(port.IntVal), nil
	}
	for _, p := range c.Ports {
		if p.Name == port.StrVal {
			return int(p.ContainerPort), nil
		}
	}
	if n, err := strconv.Atoi(port.StrVal); err == nil && n > 0 && n < 65536 {
		return n, nil
	}
	return 0, fmt.Errorf("probe port %q: no container port of that name", port.StrVal)
}

func hostOr(host, podIP string) string {
	if host != "" {
		return host
	}
	return podIP
}

// probeParams are a probe's timings and thresholds, defaulted as the API does.
type probeParams struct {
	delay, period, timeout time.Duration
	success, failure       int
}

func probeParamsOf(p *corev1.Probe) probeParams {
	pp := probeParams{
		delay:   time.Duration(p.InitialDelaySeconds) * time.Second,
		period:  time.Duration(p.PeriodSeconds) * time.Second,
		timeout: time.Duration(p.TimeoutSeconds) * time.Second,
		success: int(p.SuccessThreshold),
		failure: int(p.FailureThreshold),
	}
	if pp.period <= 0 {
		pp.period = 10 * time.Second
	}
	if pp.timeout <= 0 {
		pp.timeout = time.Second
	}
	if pp.success <= 0 {
		pp.success = 1
	}
	if pp.failure <= 0 {
		pp.failure = 3
	}
	return pp
}

// probeLoop probes every period after the initial delay until ctx is done, and
// calls onChange whenever the result, after the thresholds, differs from the
// last one (which starts as initial).
func probeLoop(ctx context.Context, p *corev1.Probe, initial bool,
	check func(context.Context, *corev1.Probe) (bool, string), onChange func(ok bool, msg string)) {
	pp := probeParamsOf(p)
	result, successes, failures := initial, 0, 0
	timer := time.NewTimer(pp.delay)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		ok, msg := check(ctx, p)
		if ctx.Err() != nil {
			return
		}
		if ok {
			successes, failures = successes+1, 0
		} else {
			successes, failures = 0, failures+1
		}
		switch {
		case ok && !result && successes >= pp.success:
			result = true
			onChange(true, "")
		case !ok && result && failures >= pp.failure:
			result = false
			onChange(false, msg)
		case !ok && !result && failures == pp.failure:
			onChange(false, msg) // reported once per failure streak, for startup probes
		}
		timer.Reset(pp.period)
	}
}
