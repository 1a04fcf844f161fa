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

package validation

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

var supportedPortProtocols = []crd.Protocol{crd.ProtocolTCP, crd.ProtocolUDP, crd.ProtocolSCTP}

// validatePorts validates the ports of a rule: protocol, port or named port, and
// the destination and source ranges.
func validatePorts(ports []crd.NetworkPolicyPort, path *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	for i := range ports {
		p := path.Index(i)
		port := &ports[i]
		if port.Protocol != nil {
			switch *port.Protocol {
			case crd.ProtocolTCP, crd.ProtocolUDP, crd.ProtocolSCTP:
			default:
				allErrs = append(allErrs, field.NotSupported(p.Child("protocol"), *port.Protocol, supportedPortProtocols))
			}
		}
		allErrs = append(allErrs, validateDestinationPort(port, p)...)
		allErrs = append(allErrs, validatePortRange(port.SourcePort, port.SourceEndPort, p.Child("sourcePort"), p.Child("sourceEndPort"))...)
	}
	return allErrs
}

func validateDestinationPort(port *crd.NetworkPolicyPort, path *field.Path) field.ErrorList {
	if port.Port == nil {
		if port.EndPort != nil {
			return field.ErrorList{field.Required(path.Child("port"), "endPort needs a numeric port to start the range")}
		}
		return nil
	}
	if port.Port.Type == intstr.String {
		allErrs := invalidIf(path.Child("port"), port.Port.StrVal, "is not a valid port name", validation.IsValidPortName(port.Port.StrVal))
		if port.EndPort != nil {
			allErrs = append(allErrs, field.Forbidden(path.Child("endPort"), "cannot be used with a named port"))
		}
		return allErrs
	}
	start := port.Port.IntVal
	return validatePortRange(&start, port.EndPort, path.Child("port"), path.Child("endPort"))
}

// validatePortRange validates start..end where end is optional and needs start.
func validatePortRange(start, end *int32, startPath, endPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if start == nil {
		if end != nil {
			allErrs = append(allErrs, field.Required(startPath, "the end of a range needs the start of the range"))
		}
		return allErrs
	}
	for _, msg := range validation.IsValidPortNum(int(*start)) {
		allErrs = append(allErrs, field.Invalid(startPath, *start, msg))
	}
	if end == nil {
		return allErrs
	}
	for _, msg := range validation.IsValidPortNum(int(*end)) {
		allErrs = append(allErrs, field.Invalid(endPath, *end, msg))
	}
	if *end < *start {
		allErrs = append(allErrs, field.Invalid(endPath, *end, fmt.Sprintf("must be greater than or equal to %d, the start of the range", *start)))
	}
	return allErrs
}
