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

package apiserver

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	restclient "k8s.io/client-go/rest"

	"github.com/strata-net/strata/apiserver/etcd"
	apiservertesting "github.com/strata-net/strata/apiserver/testing"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

var (
	policies = flag.Int("strata.policies", 10000, "ClusterNetworkPolicies in the populated set")
	workers  = flag.Int("strata.workers", 8, "concurrent client goroutines of the create, get and watch benchmarks")
	noFsync  = flag.Bool("strata.nofsync", false, "run the embedded etcd with UnsafeNoFsync (default: fsync on, as in production)")
)

// setLabel tells the populated set from the objects the benchmarks add and delete.
const setLabel = "strata.bench/set"

// fixture is the one server all benchmarks share, populated once.
type fixture struct {
	dir    string
	etcd   *etcd.Server // only with -strata.nofsync
	server *apiservertesting.Server
	// config is the admin client configuration without client-side rate limit.
	config *restclient.Config
	client versioned.Interface
	// populated is the creation of the populated set; then the peak RSS, heap in
	// use and live heap right after it.
	populated                                  loadResult
	populatedRSS, populatedHeap, populatedLive float64
}

var (
	fxOnce sync.Once
	fx     *fixture
	fxErr  error
)

// benchFixture starts and populates the shared server on first use.
func benchFixture(b *testing.B) *fixture {
	b.Helper()
	fxOnce.Do(func() {
		fx = &fixture{}
		fxErr = fx.start(context.Background())
	})
	if fxErr != nil {
		b.Fatalf("setting up the benchmark server: %v", fxErr)
	}
	return fx
}

func (f *fixture) start(ctx context.Context) error {
	var err error
	if f.dir, err = os.MkdirTemp("", "strata-apiserver-bench-"); err != nil {
		return fmt.Errorf("creating the data directory: %w", err)
	}
	cfg := apiservertesting.Config{DataDir: filepath.Join(f.dir, "server")}
	if *noFsync {
		f.etcd, err = etcd.Start(ctx, etcd.Config{DataDir: filepath.Join(f.dir, "etcd"), UnsafeNoFsync: true})
		if err != nil {
			return fmt.Errorf("starting etcd without fsync: %w", err)
		}
		cfg.EtcdServers = []string{f.etcd.ClientURL()}
	}
	if f.server, err = apiservertesting.New(cfg); err != nil {
		return fmt.Errorf("starting strata-apiserver: %w", err)
	}
	f.config = restclient.CopyConfig(f.server.ClientConfig)
	f.config.QPS = -1 // no client-side rate limit: measure the server, not the limiter
	if f.client, err = versioned.NewForConfig(f.config); err != nil {
		return fmt.Errorf("creating the client: %w", err)
	}
	if err := waitSystemTiers(ctx, f.client); err != nil {
		return err
	}
	return f.populate(ctx)
}

// waitSystemTiers waits until the Tiers the generated policies use exist.
func waitSystemTiers(ctx context.Context, c versioned.Interface) error {
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		for _, name := range benchTiers {
			if _, err := c.CrdV1beta1().Tiers().Get(ctx, name, metav1.GetOptions{}); err != nil {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("waiting a minute for the system Tiers %v: %w", benchTiers, err)
	}
	return nil
}

// close stops what start started and removes the data.
func (f *fixture) close() {
	if f.server != nil {
		f.server.Stop()
	}
	if f.etcd != nil {
		f.etcd.Close()
	}
	if f.dir != "" {
		os.RemoveAll(f.dir)
	}
}

// baseName is the name of the i-th policy of the populated set.
func baseName(i int) string { return fmt.Sprintf("bench-%05d", i) }

var errNoPolicies = errors.New("-strata.policies must be positive")

// populate creates the populated set with the benchmark's workers: this is the
// create measurement at full scale.
func (f *fixture) populate(ctx context.Context) error {
	if *policies <= 0 {
		return errNoPolicies
	}
	api := f.client.CrdV1beta1().ClusterNetworkPolicies()
	res, err := runLoad(ctx, *policies, *workers, func(ctx context.Context, i int) error {
		p := Policy(baseName(i), i)
		p.Labels = map[string]string{setLabel: "base"}
		_, err := api.Create(ctx, p, metav1.CreateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("creating %d policies: %w", *policies, err)
	}
	f.populated = res
	peak, err := peakRSSBytes()
	if err != nil {
		return err
	}
	f.populatedRSS = mb(peak)
	f.populatedHeap, f.populatedLive = heapMB()
	return nil
}
