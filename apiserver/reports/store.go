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

package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/strata-net/strata/apis/controlplane"
)

// Entry is one Node's report of one policy, at the etcd revision that wrote (or
// deleted) it.
type Entry struct {
	Policy   string
	Status   controlplane.NetworkPolicyNodeStatus
	Deleted  bool
	Revision int64
}

// value is what a key holds.
type value struct {
	Generation         int64  `json:"generation"`
	RealizationFailure bool   `json:"realizationFailure,omitempty"`
	Message            string `json:"message,omitempty"`
}

// Config configures a Store.
type Config struct {
	// Client reaches strata's etcd.
	Client *clientv3.Client
	// Prefix is strata-apiserver's etcd prefix (/registry/strata); the reports
	// live under <Prefix>/realizationreports/.
	Prefix string
}

// Defaults fills the prefix.
func (c *Config) Defaults() {
	if c.Prefix == "" {
		c.Prefix = "/registry/strata"
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Client == nil {
		return errors.New("realization reports: an etcd client is required")
	}
	if !strings.HasPrefix(c.Prefix, "/") {
		return fmt.Errorf("realization reports: the etcd prefix %q must start with /", c.Prefix)
	}
	return nil
}

// Store reads and writes the reports in etcd.
type Store struct {
	client *clientv3.Client
	root   string // <prefix>/realizationreports/
}

// New returns the store of cfg.
func New(cfg Config) (*Store, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Store{client: cfg.Client, root: strings.TrimSuffix(cfg.Prefix, "/") + "/realizationreports/"}, nil
}

// checkName refuses a Node or policy name that would escape its key segment.
func checkName(field, name string) error {
	if name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("realization reports: invalid %s %q: must be non-empty, without /", field, name)
	}
	return nil
}

func (s *Store) nodePrefix(node string) string { return s.root + node + "/" }

// Put writes node's report of policy, replacing the previous one.
func (s *Store) Put(ctx context.Context, policy string, st controlplane.NetworkPolicyNodeStatus) error {
	if err := checkName("policy", policy); err != nil {
		return err
	}
	if err := checkName("nodeName", st.NodeName); err != nil {
		return err
	}
	data, err := json.Marshal(value{Generation: st.Generation, RealizationFailure: st.RealizationFailure, Message: st.Message})
	if err != nil {
		return fmt.Errorf("realization reports: encoding the report of %s on %s: %w", policy, st.NodeName, err)
	}
	if _, err := s.client.Put(ctx, s.nodePrefix(st.NodeName)+policy, string(data)); err != nil {
		return fmt.Errorf("realization reports: writing the report of %s on %s: %w", policy, st.NodeName, err)
	}
	return nil
}

// List returns every report and the revision of the read.
func (s *Store) List(ctx context.Context) ([]Entry, int64, error) {
	resp, err := s.client.Get(ctx, s.root, clientv3.WithPrefix())
	if err != nil {
		return nil, 0, fmt.Errorf("realization reports: listing %s: %w", s.root, err)
	}
	entries := make([]Entry, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		e, ok := s.decode(string(kv.Key), kv.Value, kv.ModRevision, false)
		if ok {
			entries = append(entries, e)
		}
	}
	return entries, resp.Header.Revision, nil
}

// DeleteNode removes every report of node.
func (s *Store) DeleteNode(ctx context.Context, node string) error {
	if err := checkName("nodeName", node); err != nil {
		return err
	}
	if _, err := s.client.Delete(ctx, s.nodePrefix(node), clientv3.WithPrefix()); err != nil {
		return fmt.Errorf("realization reports: deleting the reports of Node %s: %w", node, err)
	}
	return nil
}

// DeleteReports removes the reports of policy by nodes.
func (s *Store) DeleteReports(ctx context.Context, policy string, nodes []string) error {
	if err := checkName("policy", policy); err != nil {
		return err
	}
	ops := make([]clientv3.Op, 0, len(nodes))
	for _, n := range nodes {
		if err := checkName("nodeName", n); err != nil {
			return err
		}
		ops = append(ops, clientv3.OpDelete(s.nodePrefix(n)+policy))
	}
	for len(ops) > 0 {
		batch := ops[:min(len(ops), maxOpsPerTxn)]
		ops = ops[len(batch):]
		if _, err := s.client.Txn(ctx).Then(batch...).Commit(); err != nil {
			return fmt.Errorf("realization reports: deleting the reports of %s: %w", policy, err)
		}
	}
	return nil
}

// maxOpsPerTxn stays under etcd's default --max-txn-ops (128).
const maxOpsPerTxn = 100

// decode parses a key and its value; false for a key that is not a report (it is
// skipped).
func (s *Store) decode(key string, data []byte, rev int64, deleted bool) (Entry, bool) {
	node, policy, ok := strings.Cut(strings.TrimPrefix(key, s.root), "/")
	if !ok || node == "" || policy == "" || strings.Contains(policy, "/") {
		return Entry{}, false
	}
	e := Entry{Policy: policy, Revision: rev, Status: controlplane.NetworkPolicyNodeStatus{NodeName: node}}
	if deleted {
		e.Deleted = true
		return e, true
	}
	var v value
	if err := json.Unmarshal(data, &v); err != nil {
		return Entry{}, false
	}
	e.Status.Generation, e.Status.RealizationFailure, e.Status.Message = v.Generation, v.RealizationFailure, v.Message
	return e, true
}
