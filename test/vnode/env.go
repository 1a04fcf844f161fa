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
	"errors"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The provider resolves the containers' environment itself, once the Pod's
// sandbox has its address, as a kubelet does when it starts a container:
// virtual-kubelet's own resolution runs before the provider sees the Pod and
// refuses status.podIP and status.hostIP (the Pod then never starts), so the
// node runs with SkipDownwardAPIResolution.

// resolveEnvs replaces the env of every container of the Pod with its literal
// values (resolveEnv), before anything reads it; resolved values resolve to
// themselves, so a retry is harmless.
func (r *podRuntime) resolveEnvs(ctx context.Context, pod *corev1.Pod, podIP string) error {
	for _, c := range append(append([]*container(nil), r.init...), r.containers...) {
		env, err := r.p.volumes.resolveEnv(ctx, pod, &c.spec, podIP, r.p.cfg.NodeIP)
		if err != nil {
			return err
		}
		r.mu.Lock()
		c.spec.Env, c.spec.EnvFrom = env, nil
		r.mu.Unlock()
	}
	return nil
}

// resolveEnv is c's environment with every value literal: envFrom first (a
// ConfigMap's or Secret's keys, with their prefix), then env, whose valueFrom is
// read from the Pod's fields (podField: status.podIP and status.hostIP too), a
// ConfigMap key or a Secret key. A missing source is an error unless optional.
func (w *volumeWriter) resolveEnv(ctx context.Context, pod *corev1.Pod, c *corev1.Container, podIP, hostIP string) ([]corev1.EnvVar, error) {
	var out []corev1.EnvVar
	for _, from := range c.EnvFrom {
		data, err := w.envSource(ctx, pod.Namespace, from)
		if err != nil {
			return nil, fmt.Errorf("container %q: envFrom: %w", c.Name, err)
		}
		for _, k := range sortedKeys(data) {
			out = append(out, corev1.EnvVar{Name: from.Prefix + k, Value: data[k]})
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			out = append(out, corev1.EnvVar{Name: e.Name, Value: e.Value})
			continue
		}
		v, ok, err := w.envValue(ctx, pod, e.ValueFrom, podIP, hostIP)
		if err != nil {
			return nil, fmt.Errorf("container %q: env %s: %w", c.Name, e.Name, err)
		}
		if ok {
			out = append(out, corev1.EnvVar{Name: e.Name, Value: v})
		}
	}
	return out, nil
}

// envValue is one valueFrom; false for an optional key that is missing (the
// variable is then not set).
func (w *volumeWriter) envValue(ctx context.Context, pod *corev1.Pod, from *corev1.EnvVarSource, podIP, hostIP string) (string, bool, error) {
	switch {
	case from.FieldRef != nil:
		v, err := podField(pod, from.FieldRef.FieldPath, podIP, hostIP)
		return v, err == nil, err
	case from.ConfigMapKeyRef != nil:
		ref := from.ConfigMapKeyRef
		data, err := w.configMapData(ctx, pod.Namespace, ref.Name, ref.Optional)
		return keyValue("configmap "+ref.Name, data, ref.Key, ref.Optional, err)
	case from.SecretKeyRef != nil:
		ref := from.SecretKeyRef
		data, err := w.secretData(ctx, pod.Namespace, ref.Name, ref.Optional)
		return keyValue("secret "+ref.Name, data, ref.Key, ref.Optional, err)
	default:
		return "", false, errors.New("only fieldRef, configMapKeyRef and secretKeyRef are supported by strata-vnode")
	}
}

func keyValue(what string, data map[string]string, key string, optional *bool, err error) (string, bool, error) {
	if err != nil {
		return "", false, err
	}
	v, ok := data[key]
	if !ok && !isTrue(optional) {
		return "", false, fmt.Errorf("%s: no key %q", what, key)
	}
	return v, ok, nil
}

func (w *volumeWriter) envSource(ctx context.Context, ns string, from corev1.EnvFromSource) (map[string]string, error) {
	switch {
	case from.ConfigMapRef != nil:
		return w.configMapData(ctx, ns, from.ConfigMapRef.Name, from.ConfigMapRef.Optional)
	case from.SecretRef != nil:
		return w.secretData(ctx, ns, from.SecretRef.Name, from.SecretRef.Optional)
	default:
		return nil, errors.New("neither configMapRef nor secretRef")
	}
}

// configMapData is a ConfigMap's data; empty for a missing optional one.
func (w *volumeWriter) configMapData(ctx context.Context, ns, name string, optional *bool) (map[string]string, error) {
	if w.client == nil {
		return nil, errors.New("no connection to kube-apiserver to read ConfigMaps")
	}
	cm, err := w.client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) && isTrue(optional) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("configmap %q: %w", name, err)
	}
	return cm.Data, nil
}

// secretData is a Secret's data; empty for a missing optional one.
func (w *volumeWriter) secretData(ctx context.Context, ns, name string, optional *bool) (map[string]string, error) {
	if w.client == nil {
		return nil, errors.New("no connection to kube-apiserver to read Secrets")
	}
	s, err := w.client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) && isTrue(optional) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("secret %q: %w", name, err)
	}
	data := make(map[string]string, len(s.Data))
	for k, v := range s.Data {
		data[k] = string(v)
	}
	return data, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
