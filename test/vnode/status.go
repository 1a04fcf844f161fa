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
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// statusInput is everything a Pod's status is computed from.
type statusInput struct {
	// Pod supplies the spec and the previous status (condition transition times,
	// QoS class, readiness gates' conditions).
	Pod            *corev1.Pod
	HostIP         string
	PodIPs         []string
	StartTime      metav1.Time
	SandboxReady   bool
	SandboxMessage string
	Init           []corev1.ContainerStatus
	Containers     []corev1.ContainerStatus
	// Terminating Pods restart nothing: their phase is computed as for
	// restartPolicy Never.
	Terminating bool
	Now         metav1.Time
}

// computeStatus computes a Pod status as a kubelet does: phase from the container
// states, conditions, addresses.
func computeStatus(in statusInput) corev1.PodStatus {
	phase := podPhase(in.Pod.Spec.RestartPolicy, in.Init, in.Containers, in.Terminating)
	st := corev1.PodStatus{
		Phase:                 phase,
		HostIP:                in.HostIP,
		QOSClass:              in.Pod.Status.QOSClass,
		InitContainerStatuses: in.Init,
		ContainerStatuses:     in.Containers,
	}
	if in.HostIP != "" {
		st.HostIPs = []corev1.HostIP{{IP: in.HostIP}}
	}
	if !in.StartTime.IsZero() {
		st.StartTime = in.StartTime.DeepCopy()
	}
	if len(in.PodIPs) > 0 {
		st.PodIP = in.PodIPs[0]
		for _, ip := range in.PodIPs {
			st.PodIPs = append(st.PodIPs, corev1.PodIP{IP: ip})
		}
	}
	st.Conditions = podConditions(in, phase)
	return st
}

// podPhase follows the kubelet: pending while init containers have not all
// succeeded or a container has not started yet; running while a container runs
// or will be restarted; succeeded or failed once every container stopped for good.
func podPhase(policy corev1.RestartPolicy, init, containers []corev1.ContainerStatus, terminating bool) corev1.PodPhase {
	if terminating {
		policy = corev1.RestartPolicyNever
	}
	pendingInit, failedInit := 0, 0
	for _, s := range init {
		if t := s.State.Terminated; t != nil && t.ExitCode == 0 {
			continue
		}
		pendingInit++
		if t := lastTermination(s); t != nil && t.ExitCode != 0 {
			failedInit++
		}
	}
	if pendingInit > 0 {
		if failedInit > 0 && policy == corev1.RestartPolicyNever {
			return corev1.PodFailed
		}
		return corev1.PodPending
	}
	running, waiting, stopped, succeeded := 0, 0, 0, 0
	for _, s := range containers {
		switch {
		case s.State.Running != nil:
			running++
		case s.State.Terminated != nil:
			stopped++
			if s.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case s.LastTerminationState.Terminated != nil:
			stopped++ // waiting to restart
		default:
			waiting++
		}
	}
	switch {
	case waiting > 0:
		return corev1.PodPending
	case running > 0:
		return corev1.PodRunning
	case stopped > 0:
		if policy == corev1.RestartPolicyAlways {
			return corev1.PodRunning
		}
		if stopped == succeeded {
			return corev1.PodSucceeded
		}
		if policy == corev1.RestartPolicyNever {
			return corev1.PodFailed
		}
		return corev1.PodRunning
	default:
		return corev1.PodPending
	}
}

// lastTermination is the current termination, or the last one of a container
// waiting to restart.
func lastTermination(s corev1.ContainerStatus) *corev1.ContainerStateTerminated {
	if s.State.Terminated != nil {
		return s.State.Terminated
	}
	return s.LastTerminationState.Terminated
}

func podConditions(in statusInput, phase corev1.PodPhase) []corev1.PodCondition {
	notInit := incompleteInit(in.Init)
	notReady := unready(in.Containers)
	containersReady := cond(corev1.ContainersReady, len(notReady) == 0, "ContainersNotReady", listMessage("containers with unready status", notReady))
	ready := containersReady
	ready.Type = corev1.PodReady
	if len(notReady) == 0 && !gatesReady(in.Pod) {
		ready = cond(corev1.PodReady, false, "ReadinessGatesNotReady", "the conditions of the Pod's readiness gates are not all True")
	}
	initialized := cond(corev1.PodInitialized, len(notInit) == 0, "ContainersNotInitialized", listMessage("containers with incomplete status", notInit))
	switch phase {
	case corev1.PodSucceeded:
		initialized = corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, Reason: "PodCompleted"}
		fallthrough
	case corev1.PodFailed:
		containersReady = corev1.PodCondition{Type: corev1.ContainersReady, Status: corev1.ConditionFalse, Reason: "PodCompleted"}
		ready = corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "PodCompleted"}
	}
	conds := []corev1.PodCondition{
		cond(corev1.PodReadyToStartContainers, in.SandboxReady, "", sandboxMessage(in)),
		initialized,
		containersReady,
		ready,
		cond(corev1.PodScheduled, true, "", ""),
	}
	for i := range conds {
		conds[i].LastTransitionTime = transitionTime(in.Pod.Status.Conditions, conds[i], in.Now)
	}
	return conds
}

func sandboxMessage(in statusInput) string {
	if in.SandboxReady {
		return ""
	}
	return in.SandboxMessage
}

func cond(t corev1.PodConditionType, ok bool, reason, message string) corev1.PodCondition {
	if ok {
		return corev1.PodCondition{Type: t, Status: corev1.ConditionTrue}
	}
	return corev1.PodCondition{Type: t, Status: corev1.ConditionFalse, Reason: reason, Message: message}
}

// transitionTime keeps the previous transition time while the status holds.
func transitionTime(prev []corev1.PodCondition, c corev1.PodCondition, now metav1.Time) metav1.Time {
	for _, p := range prev {
		if p.Type == c.Type && p.Status == c.Status && !p.LastTransitionTime.IsZero() {
			return p.LastTransitionTime
		}
	}
	return now
}

func incompleteInit(init []corev1.ContainerStatus) []string {
	var names []string
	for _, s := range init {
		if t := s.State.Terminated; t == nil || t.ExitCode != 0 {
			names = append(names, s.Name)
		}
	}
	return names
}

func unready(containers []corev1.ContainerStatus) []string {
	var names []string
	for _, s := range containers {
		if !s.Ready {
			names = append(names, s.Name)
		}
	}
	return names
}

// gatesReady reports every readiness gate's condition True in the Pod's status.
func gatesReady(pod *corev1.Pod) bool {
	for _, g := range pod.Spec.ReadinessGates {
		ok := false
		for _, c := range pod.Status.Conditions {
			if c.Type == g.ConditionType && c.Status == corev1.ConditionTrue {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func listMessage(what string, names []string) string {
	if len(names) == 0 {
		return ""
	}
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	return fmt.Sprintf("%s: [%s]", what, strings.Join(sorted, " "))
}
