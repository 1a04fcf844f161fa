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

package scale

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// cluster is a running local cluster (hack/local-cluster.sh up --nodes 0).
type cluster struct {
	dir      string
	portBase int
	// replicas is REPLICAS of local-cluster.env: 1 (the direct mode's cluster)
	// or the supervised replicas of --apiserver-replicas.
	replicas int
	// kubeconfig is the admin's.
	kubeconfig string
}

func openCluster(dir string) (*cluster, error) {
	env, err := os.ReadFile(filepath.Join(dir, "local-cluster.env"))
	if err != nil {
		return nil, fmt.Errorf("-strata.cluster=%s is not a running local cluster (hack/local-cluster.sh up --dir %s --nodes 0): %w", dir, dir, err)
	}
	c := &cluster{dir: dir, kubeconfig: filepath.Join(dir, "kubeconfig")}
	s := bufio.NewScanner(bytes.NewReader(env))
	c.replicas = 1
	for s.Scan() {
		key, v, _ := strings.Cut(s.Text(), "=")
		var into *int
		switch key {
		case "PORT_BASE":
			into = &c.portBase
		case "REPLICAS":
			into = &c.replicas
		default:
			continue
		}
		if *into, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("%s in %s/local-cluster.env: %w", key, dir, err)
		}
	}
	if c.portBase == 0 {
		return nil, fmt.Errorf("no PORT_BASE in %s/local-cluster.env", dir)
	}
	return c, nil
}

func (c *cluster) caFile() string    { return filepath.Join(c.dir, "pki", "ca.crt") }
func (c *cluster) caKeyFile() string { return filepath.Join(c.dir, "pki", "ca.key") }

// strataEtcd is the client URL of the etcd the cluster's strata-apiserver embeds,
// the storage the second replica shares (hack/local-cluster.sh: port N+2).
func (c *cluster) strataEtcd() string { return fmt.Sprintf("http://127.0.0.1:%d", c.portBase+2) }

// firstReplica is the cluster's own strata-apiserver (port N+49), supervised by
// hack/local-cluster.sh.
func (c *cluster) firstReplica() (pid int, url string, err error) {
	pid, err = c.componentPID("strata-apiserver")
	return pid, fmt.Sprintf("https://127.0.0.1:%d", c.portBase+49), err
}

// replica is replica r (0-based) of a cluster up with --apiserver-replicas:
// the component strata-apiserver-<r+1>, supervised by hack/local-cluster.sh, on
// port N+49+r+1.
func (c *cluster) replica(r int) (pid int, url string, err error) {
	pid, err = c.componentPID(fmt.Sprintf("strata-apiserver-%d", r+1))
	return pid, fmt.Sprintf("https://127.0.0.1:%d", c.portBase+50+r), err
}

// componentPID reads the PID file hack/local-cluster.sh keeps for a component.
func (c *cluster) componentPID(name string) (int, error) {
	data, err := os.ReadFile(filepath.Join(c.dir, "run", name+".pid"))
	if err != nil {
		return 0, fmt.Errorf("reading %s's PID file: %w", name, err)
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0, fmt.Errorf("empty %s PID file", name)
	}
	return strconv.Atoi(fields[0])
}

// replica is a strata-apiserver process the benchmark starts: the cluster's own
// command line with another port and, instead of the embedded etcd, the first
// replica's etcd as an external one.
type replica struct {
	args    []string
	url     string
	logFile string
	cmd     *exec.Cmd
	exited  chan struct{}
}

func newReplica(c *cluster, firstPID, port int, logFile string) (*replica, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", firstPID))
	if err != nil {
		return nil, fmt.Errorf("reading the first replica's command line: %w", err)
	}
	first := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
	args := []string{first[0]}
	for _, a := range first[1:] {
		switch {
		case strings.HasPrefix(a, "--secure-port="):
			args = append(args, fmt.Sprintf("--secure-port=%d", port))
		case strings.HasPrefix(a, "--data-dir="), strings.HasPrefix(a, "--embedded-etcd-listen="):
		default:
			args = append(args, a)
		}
	}
	args = append(args, "--etcd-servers="+c.strataEtcd())
	return &replica{args: args, url: fmt.Sprintf("https://127.0.0.1:%d", port), logFile: logFile}, nil
}

// start starts the process and waits until its /readyz answers.
func (r *replica) start(ctx context.Context, caPEM []byte) error {
	log, err := os.OpenFile(r.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer log.Close()
	r.cmd = exec.Command(r.args[0], r.args[1:]...)
	r.cmd.Stdout, r.cmd.Stderr = log, log
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", r.args[0], err)
	}
	r.exited = make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(r.exited) }()
	return waitReady(ctx, r.url, caPEM, r.exited)
}

// kill stops the process with SIGKILL (a crash) and waits for it.
func (r *replica) kill() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.exited
}

// stop stops the process with SIGTERM, SIGKILL after 30 s.
func (r *replica) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(30 * time.Second):
		r.kill()
	}
}

// readyTimeout bounds a replica's start: its informers list 10k Pods and 10k
// NetworkPolicies from kube-apiserver on a busy machine.
const readyTimeout = 5 * time.Minute

// waitReady polls url/readyz until it answers 200, or the process exits.
func waitReady(ctx context.Context, url string, caPEM []byte, exited <-chan struct{}) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, readyTimeout, true, func(ctx context.Context) (bool, error) {
		select {
		case <-exited:
			return false, errors.New("the replica exited before it was ready")
		default:
		}
		resp, err := client.Get(url + "/readyz")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
	if err != nil {
		return fmt.Errorf("waiting %s for %s/readyz: %w", readyTimeout, url, err)
	}
	return nil
}
