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

// Package startingpods keeps the addresses node agents reported for starting
// Pods in strata's etcd (policy.ReportedAddressStore): a Pod's status carries its
// addresses only some time after its first packet, and a strata-apiserver that
// restarts, or a replica that joins, in between must compute with them from its
// first pass, or the rules of other Nodes that name the Pod lose its address.
//
// One key per Pod sandbox: <prefix>/podstartup/addresses/<namespace>/<name>/<uid>,
// value the Node and the addresses in JSON. A key is written when the Pod start
// is answered, and removed when the Pod is deleted (or, found without its Pod,
// when a replica loads the keys at its start).
package startingpods

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apiserver/policy"
)

// Store is the etcd store of the reported addresses.
type Store struct {
	client *clientv3.Client
	root   string
}

var _ policy.ReportedAddressStore = (*Store)(nil)

// New returns the store under prefix (--etcd-prefix).
func New(client *clientv3.Client, prefix string) (*Store, error) {
	if client == nil {
		return nil, errors.New("startingpods: an etcd client is required")
	}
	return &Store{client: client, root: prefix + "/podstartup/addresses/"}, nil
}

// record is a key's value.
type record struct {
	Node  string    `json:"node"`
	IPs   []string  `json:"ips"`
	Saved time.Time `json:"saved"`
}

func (s *Store) key(namespace, name string, uid types.UID) string {
	return s.root + namespace + "/" + name + "/" + string(uid)
}

// Save implements policy.ReportedAddressStore.
func (s *Store) Save(ctx context.Context, pod policy.StartingPod) error {
	if pod.UID == "" || strings.Contains(string(pod.UID), "/") {
		return fmt.Errorf("startingpods: Pod %s/%s: a UID without '/' is required, got %q", pod.Namespace, pod.Name, pod.UID)
	}
	rec := record{Node: pod.NodeName, Saved: time.Now().UTC()}
	for _, ip := range pod.IPs {
		rec.IPs = append(rec.IPs, ip.String())
	}
	value, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("startingpods: encoding Pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	key := s.key(pod.Namespace, pod.Name, pod.UID)
	if _, err := s.client.Put(ctx, key, string(value)); err != nil {
		return fmt.Errorf("startingpods: writing %s: %w", key, err)
	}
	return nil
}

// Load implements policy.ReportedAddressStore; an undecodable key is logged and
// skipped.
func (s *Store) Load(ctx context.Context) ([]policy.StartingPod, error) {
	resp, err := s.client.Get(ctx, s.root, clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("startingpods: listing %s: %w", s.root, err)
	}
	out := make([]policy.StartingPod, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		pod, err := decode(strings.TrimPrefix(string(kv.Key), s.root), kv.Value)
		if err != nil {
			klog.ErrorS(err, "Skipping undecodable saved addresses", "key", string(kv.Key))
			continue
		}
		out = append(out, pod)
	}
	return out, nil
}

func decode(rest string, value []byte) (policy.StartingPod, error) {
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		return policy.StartingPod{}, errors.New("not <namespace>/<name>/<uid>")
	}
	var rec record
	if err := json.Unmarshal(value, &rec); err != nil {
		return policy.StartingPod{}, err
	}
	pod := policy.StartingPod{Namespace: parts[0], Name: parts[1], UID: types.UID(parts[2]), NodeName: rec.Node, SavedAt: rec.Saved}
	for _, a := range rec.IPs {
		ip := net.ParseIP(a)
		if ip == nil {
			return policy.StartingPod{}, fmt.Errorf("address %q", a)
		}
		pod.IPs = append(pod.IPs, ip)
	}
	return pod, nil
}

// Delete implements policy.ReportedAddressStore: the record of that UID, or of
// every UID when uid is empty.
func (s *Store) Delete(ctx context.Context, namespace, name string, uid types.UID) error {
	var err error
	if uid == "" {
		_, err = s.client.Delete(ctx, s.root+namespace+"/"+name+"/", clientv3.WithPrefix())
	} else {
		_, err = s.client.Delete(ctx, s.key(namespace, name, uid))
	}
	if err != nil {
		return fmt.Errorf("startingpods: removing the addresses of Pod %s/%s: %w", namespace, name, err)
	}
	return nil
}
