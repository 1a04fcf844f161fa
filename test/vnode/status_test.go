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
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func running(name string, ready bool) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, Ready: ready, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func waiting(name, reason string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
}

func terminated(name string, code int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code}}}
}

func backingOff(name string, lastCode int32) corev1.ContainerStatus {
	s := waiting(name, "CrashLoopBackOff")
	s.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: lastCode}
	return s
}

func TestPodPhase(t *testing.T) {
	tests := []struct {
		name        string
		policy      corev1.RestartPolicy
		init        []corev1.ContainerStatus
		containers  []corev1.ContainerStatus
		terminating bool
		want        corev1.PodPhase
	}{
		{name: "creating", policy: corev1.RestartPolicyAlways, containers: []corev1.ContainerStatus{waiting("a", "ContainerCreating")}, want: corev1.PodPending},
		{name: "one running one not started", policy: corev1.RestartPolicyAlways,
			containers: []corev1.ContainerStatus{running("a", true), waiting("b", "ContainerCreating")}, want: corev1.PodPending},
		{name: "running", policy: corev1.RestartPolicyAlways, containers: []corev1.ContainerStatus{running("a", false)}, want: corev1.PodRunning},
		{name: "crash looping", policy: corev1.RestartPolicyAlways, containers: []corev1.ContainerStatus{backingOff("a", 1)}, want: corev1.PodRunning},
		{name: "always: exited 0 restarts", policy: corev1.RestartPolicyAlways, containers: []corev1.ContainerStatus{terminated("a", 0)}, want: corev1.PodRunning},
		{name: "on failure: all succeeded", policy: corev1.RestartPolicyOnFailure,
			containers: []corev1.ContainerStatus{terminated("a", 0), terminated("b", 0)}, want: corev1.PodSucceeded},
		{name: "on failure: a failure restarts", policy: corev1.RestartPolicyOnFailure,
			containers: []corev1.ContainerStatus{terminated("a", 0), terminated("b", 2)}, want: corev1.PodRunning},
		{name: "never: a failure", policy: corev1.RestartPolicyNever,
			containers: []corev1.ContainerStatus{terminated("a", 0), terminated("b", 2)}, want: corev1.PodFailed},
		{name: "never: one still running", policy: corev1.RestartPolicyNever,
			containers: []corev1.ContainerStatus{terminated("a", 2), running("b", true)}, want: corev1.PodRunning},
		{name: "init running", policy: corev1.RestartPolicyAlways, init: []corev1.ContainerStatus{running("i", false)},
			containers: []corev1.ContainerStatus{waiting("a", "PodInitializing")}, want: corev1.PodPending},
		{name: "init failed, never", policy: corev1.RestartPolicyNever, init: []corev1.ContainerStatus{terminated("i", 1)},
			containers: []corev1.ContainerStatus{waiting("a", "PodInitializing")}, want: corev1.PodFailed},
		{name: "init failed, retried", policy: corev1.RestartPolicyOnFailure, init: []corev1.ContainerStatus{backingOff("i", 1)},
			containers: []corev1.ContainerStatus{waiting("a", "PodInitializing")}, want: corev1.PodPending},
		{name: "init done", policy: corev1.RestartPolicyAlways, init: []corev1.ContainerStatus{terminated("i", 0)},
			containers: []corev1.ContainerStatus{running("a", true)}, want: corev1.PodRunning},
		{name: "deleted: stopped with SIGTERM", policy: corev1.RestartPolicyAlways, terminating: true,
			containers: []corev1.ContainerStatus{terminated("a", 143)}, want: corev1.PodFailed},
		{name: "deleted: exited cleanly", policy: corev1.RestartPolicyAlways, terminating: true,
			containers: []corev1.ContainerStatus{terminated("a", 0)}, want: corev1.PodSucceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := podPhase(tc.policy, tc.init, tc.containers, tc.terminating); got != tc.want {
				t.Errorf("podPhase = %s, want %s", got, tc.want)
			}
		})
	}
}

func condMap(st corev1.PodStatus) map[corev1.PodConditionType]corev1.PodCondition {
	m := map[corev1.PodConditionType]corev1.PodCondition{}
	for _, c := range st.Conditions {
		m[c.Type] = c
	}
	return m
}

func TestComputeStatus(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(time.Minute))
	pod := &corev1.Pod{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyAlways}, Status: corev1.PodStatus{QOSClass: corev1.PodQOSBestEffort}}
	type condWant struct {
		status corev1.ConditionStatus
		reason string
	}
	tests := []struct {
		name      string
		in        statusInput
		wantPhase corev1.PodPhase
		wantConds map[corev1.PodConditionType]condWant
	}{
		{
			name: "sandbox failing",
			in: statusInput{Pod: pod, HostIP: "172.30.0.11", SandboxMessage: "CNI ADD: try again later",
				Containers: []corev1.ContainerStatus{waiting("a", "ContainerCreating")}},
			wantPhase: corev1.PodPending,
			wantConds: map[corev1.PodConditionType]condWant{
				corev1.PodReadyToStartContainers: {corev1.ConditionFalse, ""},
				corev1.PodInitialized:            {corev1.ConditionTrue, ""},
				corev1.ContainersReady:           {corev1.ConditionFalse, "ContainersNotReady"},
				corev1.PodReady:                  {corev1.ConditionFalse, "ContainersNotReady"},
				corev1.PodScheduled:              {corev1.ConditionTrue, ""},
			},
		},
		{
			name: "running and ready",
			in: statusInput{Pod: pod, HostIP: "172.30.0.11", PodIPs: []string{"10.244.1.5", "fd00::5"}, SandboxReady: true,
				Containers: []corev1.ContainerStatus{running("a", true), running("b", true)}},
			wantPhase: corev1.PodRunning,
			wantConds: map[corev1.PodConditionType]condWant{
				corev1.PodReadyToStartContainers: {corev1.ConditionTrue, ""},
				corev1.ContainersReady:           {corev1.ConditionTrue, ""},
				corev1.PodReady:                  {corev1.ConditionTrue, ""},
			},
		},
		{
			name: "readiness failing",
			in: statusInput{Pod: pod, PodIPs: []string{"10.244.1.5"}, SandboxReady: true,
				Containers: []corev1.ContainerStatus{running("a", true), running("b", false)}},
			wantPhase: corev1.PodRunning,
			wantConds: map[corev1.PodConditionType]condWant{
				corev1.ContainersReady: {corev1.ConditionFalse, "ContainersNotReady"},
				corev1.PodReady:        {corev1.ConditionFalse, "ContainersNotReady"},
			},
		},
		{
			name: "init incomplete",
			in: statusInput{Pod: pod, SandboxReady: true, Init: []corev1.ContainerStatus{running("i", false)},
				Containers: []corev1.ContainerStatus{waiting("a", "PodInitializing")}},
			wantPhase: corev1.PodPending,
			wantConds: map[corev1.PodConditionType]condWant{corev1.PodInitialized: {corev1.ConditionFalse, "ContainersNotInitialized"}},
		},
		{
			name: "succeeded",
			in: statusInput{Pod: &corev1.Pod{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever}},
				Containers: []corev1.ContainerStatus{terminated("a", 0)}},
			wantPhase: corev1.PodSucceeded,
			wantConds: map[corev1.PodConditionType]condWant{
				corev1.PodInitialized: {corev1.ConditionTrue, "PodCompleted"},
				corev1.PodReady:       {corev1.ConditionFalse, "PodCompleted"},
			},
		},
		{
			name: "readiness gate unset",
			in: statusInput{Pod: &corev1.Pod{Spec: corev1.PodSpec{ReadinessGates: []corev1.PodReadinessGate{{ConditionType: "example.com/lb"}}}},
				SandboxReady: true, Containers: []corev1.ContainerStatus{running("a", true)}},
			wantPhase: corev1.PodRunning,
			wantConds: map[corev1.PodConditionType]condWant{
				corev1.ContainersReady: {corev1.ConditionTrue, ""},
				corev1.PodReady:        {corev1.ConditionFalse, "ReadinessGatesNotReady"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Now = t1
			st := computeStatus(tc.in)
			if st.Phase != tc.wantPhase {
				t.Errorf("phase = %s, want %s", st.Phase, tc.wantPhase)
			}
			got := condMap(st)
			for typ, w := range tc.wantConds {
				c, ok := got[typ]
				if !ok {
					t.Errorf("condition %s missing", typ)
					continue
				}
				if c.Status != w.status || c.Reason != w.reason {
					t.Errorf("condition %s = %s/%q, want %s/%q (message %q)", typ, c.Status, c.Reason, w.status, w.reason, c.Message)
				}
			}
			if len(tc.in.PodIPs) > 0 && (st.PodIP != tc.in.PodIPs[0] || len(st.PodIPs) != len(tc.in.PodIPs)) {
				t.Errorf("podIP %q podIPs %v, want %v", st.PodIP, st.PodIPs, tc.in.PodIPs)
			}
			if tc.in.HostIP != "" && (st.HostIP != tc.in.HostIP || len(st.HostIPs) != 1) {
				t.Errorf("hostIP %q hostIPs %v, want %s", st.HostIP, st.HostIPs, tc.in.HostIP)
			}
			if st.QOSClass != tc.in.Pod.Status.QOSClass {
				t.Errorf("qosClass %q not kept", st.QOSClass)
			}
		})
	}
}

func TestComputeStatusTransitionTimes(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(time.Minute))
	pod := &corev1.Pod{}
	in := statusInput{Pod: pod, SandboxReady: true, Containers: []corev1.ContainerStatus{running("a", false)}, Now: t0}
	first := computeStatus(in)

	pod.Status.Conditions = first.Conditions
	in.Containers, in.Now = []corev1.ContainerStatus{running("a", true)}, t1
	second := condMap(computeStatus(in))
	if got := second[corev1.PodScheduled].LastTransitionTime; !got.Equal(&t0) {
		t.Errorf("PodScheduled transition %v, want the unchanged %v", got, t0)
	}
	if got := second[corev1.PodReady].LastTransitionTime; !got.Equal(&t1) {
		t.Errorf("PodReady transition %v, want %v (it became True)", got, t1)
	}
}
