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

package options

import (
	"fmt"
	"os"
	"sort"
	"strings"

	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"sigs.k8s.io/yaml"
)

// ConfigFile is strata-apiserver's configuration file (--config): in a cluster, the
// key strata-apiserver.conf of the ConfigMap kube-system/strata-config.
type ConfigFile struct {
	// FeatureGates turns features on or off by name (e.g. AntreaPolicy: true).
	// --feature-gates overrides them gate by gate.
	FeatureGates map[string]bool `json:"featureGates,omitempty"`
}

// readConfigFile reads and strictly decodes the configuration file.
func readConfigFile(path string) (*ConfigFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	var cfg ConfigFile
	if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
		return nil, fmt.Errorf("--config %s: %w", path, err)
	}
	return &cfg, nil
}

// applyFeatureGates sets the feature gates from the configuration file, then from
// --feature-gates, which wins gate by gate. Nothing is set when either is invalid.
func (o *Options) applyFeatureGates() error {
	var fileGates map[string]bool
	if o.ConfigFile != "" {
		cfg, err := readConfigFile(o.ConfigFile)
		if err != nil {
			return err
		}
		fileGates = cfg.FeatureGates
	}
	// Try on a copy first: a failed SetFromMap leaves its input behind.
	trial := utilfeature.DefaultMutableFeatureGate.DeepCopy()
	if err := trial.SetFromMap(fileGates); err != nil {
		return fmt.Errorf("--config %s: featureGates: %w", o.ConfigFile, err)
	}
	if err := trial.SetFromMap(o.FeatureGates); err != nil {
		return fmt.Errorf("--feature-gates: %w", err)
	}
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(fileGates); err != nil {
		return fmt.Errorf("--config %s: featureGates: %w", o.ConfigFile, err)
	}
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(o.FeatureGates); err != nil {
		return fmt.Errorf("--feature-gates: %w", err)
	}
	return nil
}

// featureGatesUsage is the help of --feature-gates: every known gate.
func featureGatesUsage() string {
	known := utilfeature.DefaultMutableFeatureGate.KnownFeatures()
	sort.Strings(known)
	return "A set of key=value pairs that describe feature gates for alpha/experimental features " +
		"(they override the configuration file's featureGates). Options are:\n" + strings.Join(known, "\n")
}
