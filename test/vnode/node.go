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
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// nodeObject is the Node as registered: labels, capacity, addresses (InternalIP
// the underlay address, Hostname the kubelet API address kube-apiserver dials),
// the kubelet endpoint, node info and conditions for the network's state.
func nodeObject(cfg *Config, networkErr error) *corev1.Node {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(cfg.CPU), // validated
		corev1.ResourceMemory: resource.MustParse(cfg.Memory),
		corev1.ResourcePods:   *resource.NewQuantity(int64(cfg.MaxPods), resource.DecimalSI),
	}
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: cfg.Runtime.NodeName,
			Labels: map[string]string{
				corev1.LabelHostname: cfg.Runtime.NodeName,
				corev1.LabelOSStable: "linux", corev1.LabelArchStable: runtime.GOARCH,
				"beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": runtime.GOARCH,
				"strata.io/vnode": "true",
			},
		},
		Status: corev1.NodeStatus{
			Capacity:    capacity,
			Allocatable: capacity.DeepCopy(),
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: cfg.Runtime.NodeIP},
				{Type: corev1.NodeHostName, Address: cfg.KubeletAddress},
			},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(cfg.KubeletPort)}},
			NodeInfo: corev1.NodeSystemInfo{
				KubeletVersion:          cfg.KubeletVersion,
				OperatingSystem:         "linux",
				Architecture:            runtime.GOARCH,
				OSImage:                 "strata-vnode (network namespaces and processes)",
				KernelVersion:           kernelVersion(),
				ContainerRuntimeVersion: "strata-vnode://" + cfg.KubeletVersion,
			},
		},
	}
	now := metav1.Now()
	n.Status.Conditions = []corev1.NodeCondition{
		{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available"},
		{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure"},
		{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available"},
		readyCondition(networkErr),
	}
	for i := range n.Status.Conditions {
		n.Status.Conditions[i].LastHeartbeatTime, n.Status.Conditions[i].LastTransitionTime = now, now
	}
	return n
}

// readyCondition is Ready once the network is (a CNI config is installed), as a
// kubelet's NetworkReady gates its Ready.
func readyCondition(networkErr error) corev1.NodeCondition {
	if networkErr == nil {
		return corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"}
	}
	return corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "KubeletNotReady",
		Message: "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:" + networkErr.Error()}
}

func kernelVersion() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

// nodeStatus is the virtual-kubelet NodeProvider: it polls the CNI config
// directory and reports the Node's Ready condition when the network changes.
type nodeStatus struct {
	interval time.Duration
	check    func() error
	mu       sync.Mutex
	node     *corev1.Node
	msg      string
}

func newNodeStatus(cfg *Config) *nodeStatus {
	check := func() error { _, err := loadNetwork(cfg.Runtime.CNIConfDir); return err }
	err := check()
	return &nodeStatus{interval: cfg.NetworkPollInterval, check: check, node: nodeObject(cfg, err), msg: readyCondition(err).Message}
}

// initial is the Node to register.
func (n *nodeStatus) initial() *corev1.Node {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.node.DeepCopy()
}

// Ping reports the node alive while its controller runs.
func (n *nodeStatus) Ping(ctx context.Context) error { return ctx.Err() }

// NotifyNodeStatus reports the Node whenever its Ready condition changes.
func (n *nodeStatus) NotifyNodeStatus(ctx context.Context, cb func(*corev1.Node)) {
	go func() {
		t := time.NewTicker(n.interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if node := n.update(n.check()); node != nil {
				cb(node)
			}
		}
	}()
}

// update applies a network check; it returns the Node when Ready changed.
func (n *nodeStatus) update(networkErr error) *corev1.Node {
	ready := readyCondition(networkErr)
	n.mu.Lock()
	defer n.mu.Unlock()
	if ready.Message == n.msg {
		return nil
	}
	n.msg = ready.Message
	now := metav1.Now()
	for i, c := range n.node.Status.Conditions {
		if c.Type != corev1.NodeReady {
			continue
		}
		ready.LastHeartbeatTime, ready.LastTransitionTime = now, c.LastTransitionTime
		if c.Status != ready.Status {
			ready.LastTransitionTime = now
		}
		n.node.Status.Conditions[i] = ready
	}
	return n.node.DeepCopy()
}
