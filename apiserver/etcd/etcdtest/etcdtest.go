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

// Package etcdtest starts an embedded etcd for a test.
package etcdtest

import (
	"context"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/strata-net/strata/apiserver/etcd"
)

// Start starts an embedded etcd (no fsync, in the test's temporary directory)
// stopped at the end of the test, and returns its client URL.
func Start(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	server, err := etcd.Start(ctx, etcd.Config{DataDir: t.TempDir(), UnsafeNoFsync: true})
	if err != nil {
		t.Fatalf("starting an embedded etcd: %v", err)
	}
	t.Cleanup(server.Close)
	return server.ClientURL()
}

// Client starts an embedded etcd and returns a client of it, closed at the end
// of the test.
func Client(t testing.TB) *clientv3.Client {
	t.Helper()
	client, err := clientv3.New(clientv3.Config{Endpoints: []string{Start(t)}, DialTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("connecting to the embedded etcd: %v", err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}
