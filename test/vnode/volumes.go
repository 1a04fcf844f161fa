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
	"os"
	"path/filepath"
	"sort"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// defaultVolumeMode is the file mode of volume files without one (the API's
// default of defaultMode, 0644).
const defaultVolumeMode = 0o644

// volumeFile is one file of a volume.
type volumeFile struct {
	data []byte
	mode os.FileMode
}

// volumeWriter writes a Pod's volumes under <pod dir>/volumes/<name>, as a
// kubelet's volume plugins do: emptyDir, hostPath, configMap, secret,
// downwardAPI (fieldRef) and projected (configMap, secret, downwardAPI,
// serviceAccountToken through the TokenRequest API). Their files are written
// once, when the Pod starts.
type volumeWriter struct {
	// client reads ConfigMaps and Secrets and requests tokens; nil: volumes
	// that need kube-apiserver fail.
	client kubernetes.Interface
}

// setup writes every volume of pod under dir and returns each one's host path.
// podIP and hostIP answer downwardAPI status fields.
func (w *volumeWriter) setup(ctx context.Context, pod *corev1.Pod, dir, podIP, hostIP string) (map[string]string, error) {
	paths := map[string]string{}
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		p, err := w.setupVolume(ctx, pod, v, filepath.Join(dir, "volumes", v.Name), podIP, hostIP)
		if err != nil {
			return nil, fmt.Errorf("MountVolume.SetUp failed for volume %q: %w", v.Name, err)
		}
		paths[v.Name] = p
	}
	return paths, nil
}

func (w *volumeWriter) setupVolume(ctx context.Context, pod *corev1.Pod, v *corev1.Volume, dir, podIP, hostIP string) (string, error) {
	var files map[string]volumeFile
	var err error
	switch {
	case v.EmptyDir != nil:
		return dir, os.MkdirAll(dir, 0o777)
	case v.HostPath != nil:
		return hostPathVolume(v.HostPath)
	case v.ConfigMap != nil:
		files, err = w.configMapFiles(ctx, pod.Namespace, &v.ConfigMap.LocalObjectReference, v.ConfigMap.Items, v.ConfigMap.Optional, v.ConfigMap.DefaultMode)
	case v.Secret != nil:
		files, err = w.secretFiles(ctx, pod.Namespace, v.Secret.SecretName, v.Secret.Items, v.Secret.Optional, v.Secret.DefaultMode)
	case v.DownwardAPI != nil:
		files, err = downwardAPIFiles(pod, v.DownwardAPI.Items, v.DownwardAPI.DefaultMode, podIP, hostIP)
	case v.Projected != nil:
		files, err = w.projectedFiles(ctx, pod, v.Projected, podIP, hostIP)
	default:
		return "", errors.New("volume type not supported by strata-vnode (emptyDir, hostPath, configMap, secret, downwardAPI, projected are)")
	}
	if err != nil {
		return "", err
	}
	return dir, writeVolumeFiles(dir, files)
}

// hostPathVolume is the host path itself, created for the *OrCreate types and
// checked for the others.
func hostPathVolume(hp *corev1.HostPathVolumeSource) (string, error) {
	t := corev1.HostPathUnset
	if hp.Type != nil {
		t = *hp.Type
	}
	switch t {
	case corev1.HostPathDirectoryOrCreate:
		return hp.Path, os.MkdirAll(hp.Path, 0o755)
	case corev1.HostPathFileOrCreate:
		if err := os.MkdirAll(filepath.Dir(hp.Path), 0o755); err != nil {
			return "", err
		}
		f, err := os.OpenFile(hp.Path, os.O_CREATE|os.O_RDONLY, 0o644)
		if err != nil {
			return "", err
		}
		return hp.Path, f.Close()
	case corev1.HostPathUnset:
		return hp.Path, nil
	}
	st, err := os.Stat(hp.Path)
	if err != nil {
		return "", fmt.Errorf("hostPath type check failed: %w", err)
	}
	switch {
	case t == corev1.HostPathDirectory && !st.IsDir():
		return "", fmt.Errorf("hostPath type check failed: %s is not a directory", hp.Path)
	case t == corev1.HostPathFile && !st.Mode().IsRegular():
		return "", fmt.Errorf("hostPath type check failed: %s is not a file", hp.Path)
	}
	return hp.Path, nil
}

func (w *volumeWriter) configMapFiles(ctx context.Context, ns string, ref *corev1.LocalObjectReference, items []corev1.KeyToPath,
	optional *bool, defaultMode *int32) (map[string]volumeFile, error) {
	if w.client == nil {
		return nil, errors.New("no connection to kube-apiserver to read ConfigMaps")
	}
	cm, err := w.client.CoreV1().ConfigMaps(ns).Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) && isTrue(optional) {
		return map[string]volumeFile{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("configmap %q: %w", ref.Name, err)
	}
	data := make(map[string][]byte, len(cm.Data)+len(cm.BinaryData))
	for k, v := range cm.Data {
		data[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		data[k] = v
	}
	return keyFiles("configmap "+ref.Name, data, items, optional, defaultMode)
}

func (w *volumeWriter) secretFiles(ctx context.Context, ns, name string, items []corev1.KeyToPath,
	optional *bool, defaultMode *int32) (map[string]volumeFile, error) {
	if w.client == nil {
		return nil, errors.New("no connection to kube-apiserver to read Secrets")
	}
	s, err := w.client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) && isTrue(optional) {
		return map[string]volumeFile{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("secret %q: %w", name, err)
	}
	return keyFiles("secret "+name, s.Data, items, optional, defaultMode)
}

// keyFiles lays out data: every key as a file, or the items only (a missing
// key is an error unless the source is optional).
func keyFiles(what string, data map[string][]byte, items []corev1.KeyToPath, optional *bool, defaultMode *int32) (map[string]volumeFile, error) {
	mode := fileMode(nil, defaultMode)
	files := map[string]volumeFile{}
	if len(items) == 0 {
		for k, v := range data {
			files[k] = volumeFile{data: v, mode: mode}
		}
		return files, nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			if isTrue(optional) {
				continue
			}
			return nil, fmt.Errorf("%s: no key %q", what, it.Key)
		}
		files[it.Path] = volumeFile{data: v, mode: fileMode(it.Mode, defaultMode)}
	}
	return files, nil
}

func downwardAPIFiles(pod *corev1.Pod, items []corev1.DownwardAPIVolumeFile, defaultMode *int32, podIP, hostIP string) (map[string]volumeFile, error) {
	files := map[string]volumeFile{}
	for _, it := range items {
		if it.FieldRef == nil {
			return nil, fmt.Errorf("downwardAPI %q: only fieldRef is supported by strata-vnode", it.Path)
		}
		v, err := podField(pod, it.FieldRef.FieldPath, podIP, hostIP)
		if err != nil {
			return nil, fmt.Errorf("downwardAPI %q: %w", it.Path, err)
		}
		files[it.Path] = volumeFile{data: []byte(v), mode: fileMode(it.Mode, defaultMode)}
	}
	return files, nil
}

// podField is the value of a downward API field path.
func podField(pod *corev1.Pod, path, podIP, hostIP string) (string, error) {
	if key, ok := subscript(path, "metadata.labels"); ok {
		return pod.Labels[key], nil
	}
	if key, ok := subscript(path, "metadata.annotations"); ok {
		return pod.Annotations[key], nil
	}
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "metadata.labels":
		return formatMap(pod.Labels), nil
	case "metadata.annotations":
		return formatMap(pod.Annotations), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.podIP":
		return podIP, nil
	case "status.hostIP":
		return hostIP, nil
	}
	return "", fmt.Errorf("field path %q is not supported", path)
}

// subscript parses prefix['key'].
func subscript(path, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(path, prefix+"['")
	if !ok || !strings.HasSuffix(rest, "']") {
		return "", false
	}
	return strings.TrimSuffix(rest, "']"), true
}

// formatMap is key="value" lines in key order, as the kubelet writes labels and
// annotations.
func formatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := make([]string, 0, len(keys))
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf("%s=%q", k, m[k]))
	}
	return strings.Join(lines, "\n")
}

func (w *volumeWriter) projectedFiles(ctx context.Context, pod *corev1.Pod, pv *corev1.ProjectedVolumeSource, podIP, hostIP string) (map[string]volumeFile, error) {
	files := map[string]volumeFile{}
	for i, src := range pv.Sources {
		var part map[string]volumeFile
		var err error
		switch {
		case src.ConfigMap != nil:
			part, err = w.configMapFiles(ctx, pod.Namespace, &src.ConfigMap.LocalObjectReference, src.ConfigMap.Items, src.ConfigMap.Optional, pv.DefaultMode)
		case src.Secret != nil:
			part, err = w.secretFiles(ctx, pod.Namespace, src.Secret.Name, src.Secret.Items, src.Secret.Optional, pv.DefaultMode)
		case src.DownwardAPI != nil:
			part, err = downwardAPIFiles(pod, src.DownwardAPI.Items, pv.DefaultMode, podIP, hostIP)
		case src.ServiceAccountToken != nil:
			part, err = w.tokenFile(ctx, pod, src.ServiceAccountToken, pv.DefaultMode)
		default:
			err = errors.New("projection not supported by strata-vnode (configMap, secret, downwardAPI, serviceAccountToken are)")
		}
		if err != nil {
			return nil, fmt.Errorf("sources[%d]: %w", i, err)
		}
		for k, v := range part {
			files[k] = v
		}
	}
	return files, nil
}

// tokenFile requests a token of the Pod's ServiceAccount bound to the Pod, as
// the kubelet does (the Node authorizer lets a node do that for its Pods).
func (w *volumeWriter) tokenFile(ctx context.Context, pod *corev1.Pod, src *corev1.ServiceAccountTokenProjection, defaultMode *int32) (map[string]volumeFile, error) {
	if w.client == nil {
		return nil, errors.New("no connection to kube-apiserver to request a token")
	}
	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	exp := int64(3600)
	if src.ExpirationSeconds != nil {
		exp = *src.ExpirationSeconds
	}
	tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: &exp,
		BoundObjectRef:    &authenticationv1.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: pod.UID},
	}}
	if src.Audience != "" {
		tr.Spec.Audiences = []string{src.Audience}
	}
	out, err := w.client.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, sa, tr, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("token of ServiceAccount %s/%s: %w", pod.Namespace, sa, err)
	}
	mode := fileMode(nil, defaultMode)
	if defaultMode == nil {
		mode = 0o600
	}
	return map[string]volumeFile{src.Path: {data: []byte(out.Status.Token), mode: mode}}, nil
}

// writeVolumeFiles replaces dir's content with files.
func writeVolumeFiles(dir string, files map[string]volumeFile) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for rel, f := range files {
		p := filepath.Join(dir, rel)
		if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			return fmt.Errorf("path %q leaves the volume", rel)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.data, f.mode); err != nil {
			return err
		}
		if err := os.Chmod(p, f.mode); err != nil { // WriteFile's mode is subject to the umask
			return err
		}
	}
	return nil
}

func fileMode(mode, defaultMode *int32) os.FileMode {
	switch {
	case mode != nil:
		return os.FileMode(*mode) & os.ModePerm
	case defaultMode != nil:
		return os.FileMode(*defaultMode) & os.ModePerm
	default:
		return defaultVolumeMode
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

// containerMounts are a container's bind mounts: its volumeMounts (subPath
// and subPathExpr within the volume), then the Pod's files (its resolv.conf,
// hostname and hosts at their /etc paths), each unless a volume is mounted
// at its target.
func containerMounts(c *corev1.Container, volumes map[string]string, podFiles []mountSpec) ([]mountSpec, error) {
	var mounts []mountSpec
	taken := map[string]bool{}
	env := envMap(c.Env)
	for _, vm := range c.VolumeMounts {
		src, ok := volumes[vm.Name]
		if !ok {
			return nil, fmt.Errorf("container %q: volumeMount %q: no such volume", c.Name, vm.Name)
		}
		sub := vm.SubPath
		if vm.SubPathExpr != "" {
			sub = expandVars(vm.SubPathExpr, env)
		}
		if sub != "" {
			src = filepath.Join(src, sub)
			if !strings.HasPrefix(src, volumes[vm.Name]+string(filepath.Separator)) {
				return nil, fmt.Errorf("container %q: volumeMount %q: subPath %q leaves the volume", c.Name, vm.Name, sub)
			}
		}
		taken[filepath.Clean(vm.MountPath)] = true
		mounts = append(mounts, mountSpec{Source: src, Target: vm.MountPath, ReadOnly: vm.ReadOnly})
	}
	for _, f := range podFiles {
		if !taken[filepath.Clean(f.Target)] {
			mounts = append(mounts, f)
		}
	}
	return mounts, nil
}
