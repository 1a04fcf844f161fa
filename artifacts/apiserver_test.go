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

package artifacts

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	utilfeature "k8s.io/apiserver/pkg/util/feature"

	"github.com/strata-net/strata/apiserver/app"
	"github.com/strata-net/strata/apiserver/features"
	"github.com/strata-net/strata/apiserver/options"
)

const configMapName, configKey = "strata-config", "strata-apiserver.conf"

// strataConfig returns the ConfigMap of artifacts/base.
func strataConfig(t *testing.T) *corev1.ConfigMap {
	t.Helper()
	for _, o := range decodeFiles(t, filepath.Join("base", "configmap.yaml")) {
		if cm, ok := o.(*corev1.ConfigMap); ok && cm.Name == configMapName {
			return cm
		}
	}
	t.Fatalf("artifacts/base has no ConfigMap %s", configMapName)
	return nil
}

// TestConfigMapIsAValidConfigFile reads the ConfigMap's key as strata-apiserver reads
// its --config: it decodes strictly, and AntreaPolicy is on, as the walkthrough says.
func TestConfigMapIsAValidConfigFile(t *testing.T) {
	cm := strataConfig(t)
	conf, ok := cm.Data[configKey]
	if !ok || cm.Namespace != "kube-system" {
		t.Fatalf("ConfigMap %s/%s lacks the key %s", cm.Namespace, cm.Name, configKey)
	}
	if !strings.Contains(conf, "AntreaPolicy: true") {
		t.Errorf("%s does not list the AntreaPolicy gate:\n%s", configKey, conf)
	}
	file := filepath.Join(t.TempDir(), configKey)
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = utilfeature.DefaultMutableFeatureGate.SetFromMap(map[string]bool{"AntreaPolicy": true}) })
	o := options.NewOptions()
	o.ConfigFile = file
	if err := o.Complete(); err != nil {
		t.Fatalf("strata-apiserver --config %s: %v", configKey, err)
	}
	if !features.Enabled(features.AntreaPolicy) {
		t.Error("AntreaPolicy is off with the shipped configuration")
	}
}

// TestAPIServerDeployment parses the container's arguments with strata-apiserver's
// own flag set and checks that --config is the ConfigMap's key, mounted.
func TestAPIServerDeployment(t *testing.T) {
	var d *appsv1.Deployment
	for _, o := range decodeDir(t, "deploy") {
		if dep, ok := o.(*appsv1.Deployment); ok {
			d = dep
		}
	}
	if d == nil {
		t.Fatal("artifacts/deploy has no Deployment")
	}
	c := d.Spec.Template.Spec.Containers[0]
	cmd := app.NewCommand(context.Background())
	if err := cmd.ParseFlags(c.Args); err != nil {
		t.Fatalf("strata-apiserver %v: %v", c.Args, err)
	}
	config := cmd.Flags().Lookup("config").Value.String()
	var mountedAt string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.ConfigMap == nil || v.ConfigMap.Name != configMapName {
			continue
		}
		for _, m := range c.VolumeMounts {
			if m.Name == v.Name {
				mountedAt = m.MountPath
			}
		}
	}
	if want := filepath.Join(mountedAt, configKey); mountedAt == "" || config != want {
		t.Errorf("--config=%q, want the ConfigMap %s mounted, its key %s (mounted at %q)", config, configMapName, configKey, mountedAt)
	}
}
