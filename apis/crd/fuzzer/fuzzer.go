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

// Package fuzzer fills internal crd.antrea.io objects with random values that survive
// defaulting, for the round-trip tests of the crd and security groups.
package fuzzer

import (
	runtimeserializer "k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/randfill"

	"github.com/strata-net/strata/apis/crd"
)

// Funcs returns the fuzzer functions of the crd.antrea.io internal types.
var Funcs = func(_ runtimeserializer.CodecFactory) []interface{} {
	return []interface{}{
		func(p *crd.NetworkPolicyPort, c randfill.Continue) {
			c.FillNoCustom(p)
			if p.Protocol == nil { // defaulted by every versioned API
				tcp := crd.ProtocolTCP
				p.Protocol = &tcp
			}
		},
	}
}
