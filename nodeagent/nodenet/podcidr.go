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

package nodenet

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// podCIDRPollInterval is how often WaitForPodCIDRs reads the Node.
const podCIDRPollInterval = time.Second

// NodePodCIDRs returns a Node's Pod CIDRs: spec.podCIDRs, or spec.podCIDR
// when the list is empty. None is not an error.
func NodePodCIDRs(node *corev1.Node) ([]netip.Prefix, error) {
	raw := node.Spec.PodCIDRs
	if len(raw) == 0 && node.Spec.PodCIDR != "" {
		raw = []string{node.Spec.PodCIDR}
	}
	out := make([]netip.Prefix, 0, len(raw))
	for _, s := range raw {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("node %s: spec.podCIDRs has an invalid CIDR %q: %w", node.Name, s, err)
		}
		if err := validatePodCIDR(p); err != nil {
			return nil, fmt.Errorf("node %s: spec.podCIDRs: %w", node.Name, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// WaitForPodCIDRs polls the Node until kube-controller-manager has assigned
// its Pod CIDRs (--allocate-node-cidrs), for at most timeout. A Node that
// does not exist yet is waited for too (the kubelet may register it after
// the agent starts).
func WaitForPodCIDRs(ctx context.Context, kube kubernetes.Interface, nodeName string, timeout time.Duration) ([]netip.Prefix, error) {
	logger := klog.FromContext(ctx)
	var cidrs []netip.Prefix
	last := "not read yet"
	logged := false
	err := wait.PollUntilContextTimeout(ctx, podCIDRPollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		node, err := kube.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			last = "the Node does not exist"
		case err != nil:
			last = fmt.Sprintf("reading the Node failed: %v", err)
		default:
			if cidrs, err = NodePodCIDRs(node); err != nil {
				return false, err
			}
			if len(cidrs) > 0 {
				return true, nil
			}
			last = "spec.podCIDR is empty"
		}
		if !logged {
			logger.Info("Waiting for the Node's Pod CIDR", "node", nodeName, "state", last, "timeout", timeout)
			logged = true
		}
		return false, nil
	})
	if err != nil {
		if ctx.Err() != nil || !wait.Interrupted(err) {
			return nil, fmt.Errorf("waiting for the Pod CIDR of node %s: %w", nodeName, err)
		}
		return nil, fmt.Errorf("node %s has no Pod CIDR after %s (%s): is kube-controller-manager running with "+
			"--allocate-node-cidrs and a --cluster-cidr? (%w)", nodeName, timeout, last, err)
	}
	logger.Info("Node Pod CIDRs", "node", nodeName, "podCIDRs", cidrs)
	return cidrs, nil
}
