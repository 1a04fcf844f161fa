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

package cni

import (
	"fmt"
	"strings"
)

// The CNI_ARGS keys a Kubernetes runtime passes.
const (
	ArgPodName             = "K8S_POD_NAME"
	ArgPodNamespace        = "K8S_POD_NAMESPACE"
	ArgPodInfraContainerID = "K8S_POD_INFRA_CONTAINER_ID"
	ArgPodUID              = "K8S_POD_UID"
)

// PodArgs are the Kubernetes keys of CNI_ARGS.
type PodArgs struct {
	Name      string
	Namespace string
	UID       string
	// InfraContainerID is the sandbox id; usually CNI_CONTAINERID itself.
	InfraContainerID string
}

// ParseArgs parses CNI_ARGS ("K1=V1;K2=V2"). Unknown keys are ignored; a pair
// without "=" or with an empty key is an error naming CNI_ARGS.
func ParseArgs(s string) (PodArgs, error) {
	var a PodArgs
	if s == "" {
		return a, nil
	}
	for _, pair := range strings.Split(s, ";") {
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" {
			return PodArgs{}, fmt.Errorf("CNI_ARGS: %q is not KEY=VALUE", pair)
		}
		switch k {
		case ArgPodName:
			a.Name = v
		case ArgPodNamespace:
			a.Namespace = v
		case ArgPodUID:
			a.UID = v
		case ArgPodInfraContainerID:
			a.InfraContainerID = v
		}
	}
	return a, nil
}

// RequirePod checks that the Pod's name and namespace are present.
func (a PodArgs) RequirePod() error {
	if a.Name == "" {
		return fmt.Errorf("CNI_ARGS: %s is missing", ArgPodName)
	}
	if a.Namespace == "" {
		return fmt.Errorf("CNI_ARGS: %s is missing", ArgPodNamespace)
	}
	return nil
}
