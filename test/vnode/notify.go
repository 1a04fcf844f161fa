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
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
)

// notifier hands Pod statuses to virtual-kubelet's callback from one goroutine,
// latest status per Pod, so that status changes never block the Pods' work.
type notifier struct {
	mu      sync.Mutex
	pending map[string]*corev1.Pod
	order   []string
	wake    chan struct{}
}

func newNotifier() *notifier {
	return &notifier{pending: map[string]*corev1.Pod{}, wake: make(chan struct{}, 1)}
}

// push queues pod (a copy the notifier owns) for the callback.
func (n *notifier) push(key string, pod *corev1.Pod) {
	n.mu.Lock()
	if _, ok := n.pending[key]; !ok {
		n.order = append(n.order, key)
	}
	n.pending[key] = pod
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// run calls cb with the queued Pods until ctx is done.
func (n *notifier) run(ctx context.Context, cb func(*corev1.Pod)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.wake:
		}
		for _, pod := range n.take() {
			cb(pod)
		}
	}
}

func (n *notifier) take() []*corev1.Pod {
	n.mu.Lock()
	defer n.mu.Unlock()
	pods := make([]*corev1.Pod, 0, len(n.order))
	for _, k := range n.order {
		pods = append(pods, n.pending[k])
	}
	n.pending, n.order = map[string]*corev1.Pod{}, nil
	return pods
}
