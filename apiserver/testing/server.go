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

// Package testing starts strata-apiserver in-process for tests: standalone mode on
// 127.0.0.1 with an ephemeral port, embedded or external etcd, and an admin
// kubeconfig for clients and the real kubectl.
package testing

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/wait"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/strata-net/strata/apiserver/app"
	"github.com/strata-net/strata/apiserver/options"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

// readyTimeout bounds the wait for /readyz.
const readyTimeout = 90 * time.Second

// Config configures a test server.
type Config struct {
	// DataDir keeps the embedded etcd's data and the certificates; reuse it to
	// restart a server on the same data. Default: a new t.TempDir().
	DataDir string
	// EtcdServers, when set, points the server at an external etcd.
	EtcdServers []string
	// Flags are extra command-line flags.
	Flags []string
}

// Server is a running in-process strata-apiserver.
type Server struct {
	// Kubeconfig is the path of the admin kubeconfig.
	Kubeconfig string
	// ClientConfig is the admin client configuration.
	ClientConfig *restclient.Config
	// Client is an admin clientset.
	Client versioned.Interface
	// DataDir is the server's data directory.
	DataDir string

	cancel context.CancelFunc
	done   chan struct{}
}

// Start starts a standalone server and waits until it is ready; it stops with the
// test.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := start(cfg, t.TempDir)
	if err != nil {
		t.Fatalf("starting strata-apiserver: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// New starts a standalone server in cfg.DataDir (required) and waits until it is
// ready; the caller stops it. For TestMain, where there is no testing.T.
func New(cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("a data directory is required")
	}
	return start(cfg, nil)
}

func start(cfg Config, tempDir func() string) (*Server, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = tempDir()
	}
	kubeconfig := filepath.Join(cfg.DataDir, "admin.kubeconfig")
	o, err := parseOptions(cfg, kubeconfig)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	runner, cleanup, err := app.Prepare(ctx, o)
	if err != nil {
		cancel()
		return nil, err
	}
	s := &Server{Kubeconfig: kubeconfig, DataDir: cfg.DataDir, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer cleanup()
		_ = runner.RunWithContext(ctx)
	}()
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func parseOptions(cfg Config, kubeconfig string) (*options.Options, error) {
	listener, port, err := genericoptions.CreateListener("tcp", "127.0.0.1:0", net.ListenConfig{})
	if err != nil {
		return nil, fmt.Errorf("listening on 127.0.0.1:0: %w", err)
	}
	o := options.NewOptions()
	fs := pflag.NewFlagSet("strata-apiserver", pflag.ContinueOnError)
	for _, f := range o.Flags().FlagSets {
		fs.AddFlagSet(f)
	}
	args := append([]string{"--standalone", "--data-dir=" + cfg.DataDir, "--write-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", port)}, cfg.Flags...)
	for _, server := range cfg.EtcdServers {
		args = append(args, "--etcd-servers="+server)
	}
	if err := fs.Parse(args); err != nil {
		listener.Close()
		return nil, fmt.Errorf("flags %q: %w", args, err)
	}
	o.Recommended.SecureServing.Listener = listener
	if err := o.Complete(); err != nil {
		listener.Close()
		return nil, err
	}
	if err := o.Validate(); err != nil {
		listener.Close()
		return nil, err
	}
	return o, nil
}

func (s *Server) waitReady(ctx context.Context) error {
	cc, err := clientcmd.BuildConfigFromFlags("", s.Kubeconfig)
	if err != nil {
		return fmt.Errorf("reading the admin kubeconfig: %w", err)
	}
	s.ClientConfig = cc
	if s.Client, err = versioned.NewForConfig(cc); err != nil {
		return err
	}
	var last error
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, readyTimeout, true, func(ctx context.Context) (bool, error) {
		select {
		case <-s.done:
			return false, errors.New("the server stopped before it was ready")
		default:
		}
		_, last = s.Client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("waiting %s for /readyz: %w (last answer: %v)", readyTimeout, err, last)
	}
	return nil
}

// Stop stops the server and waits until it has released its data directory.
func (s *Server) Stop() {
	s.cancel()
	<-s.done
}
