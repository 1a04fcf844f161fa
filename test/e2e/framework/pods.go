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

package framework

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Pod is what the e2e suites read of a Pod that is Running and Ready.
type Pod struct {
	Namespace, Name, IP, Node string
	Labels                    map[string]string
}

// podList is the part of `kubectl get pods -o json` ReadyPods reads.
type podList struct {
	Items []struct {
		Metadata struct {
			Name   string            `json:"name"`
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			NodeName string `json:"nodeName"`
		} `json:"spec"`
		Status struct {
			Phase      string `json:"phase"`
			PodIP      string `json:"podIP"`
			Conditions []struct {
				Type, Status string
			} `json:"conditions"`
		} `json:"status"`
	} `json:"items"`
}

// ReadyPods lists the Pods of namespace ns with kubectl and returns them, by
// name, when there are exactly n and all are Running and Ready with an IP;
// otherwise an error saying which are not.
func ReadyPods(ctx context.Context, kubeconfig, ns string, n int) ([]Pod, error) {
	out, err := Kubectl(ctx, kubeconfig, "get", "pods", "-n", ns, "-o", "json")
	if err != nil {
		return nil, err
	}
	var list podList
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		return nil, fmt.Errorf("decoding the pods of %s: %w", ns, err)
	}
	var pods []Pod
	var notReady []string
	for _, p := range list.Items {
		ready := slices.ContainsFunc(p.Status.Conditions, func(c struct{ Type, Status string }) bool {
			return c.Type == "Ready" && c.Status == "True"
		})
		if p.Status.Phase != "Running" || !ready || p.Status.PodIP == "" {
			notReady = append(notReady, fmt.Sprintf("%s (%s on %q, ip %q, ready %v)", p.Metadata.Name,
				p.Status.Phase, p.Spec.NodeName, p.Status.PodIP, ready))
			continue
		}
		pods = append(pods, Pod{Namespace: ns, Name: p.Metadata.Name, IP: p.Status.PodIP, Node: p.Spec.NodeName,
			Labels: p.Metadata.Labels})
	}
	if len(list.Items) != n || len(notReady) > 0 {
		return nil, fmt.Errorf("%d pods in %s, want %d Ready; not ready: %s", len(list.Items), ns, n, strings.Join(notReady, "; "))
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	return pods, nil
}
