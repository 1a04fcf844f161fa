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

package explain

import (
	"fmt"
	"net/netip"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/nodeagent/types"
)

// end is a resolved end of the connection.
type end struct {
	pod  *types.PodRef // nil: not a Pod
	ip   netip.Addr
	node string
}

// Validate checks a request: each end is a Pod (namespace and name) or an IP,
// the protocol TCP, UDP or SCTP, the port 0..65535.
func Validate(e *controlplane.NetworkPolicyEvaluation) field.ErrorList {
	req := field.NewPath("request")
	if e.Request == nil {
		return field.ErrorList{field.Required(req, "the connection to evaluate")}
	}
	var errs field.ErrorList
	errs = append(errs, validateEntity(req.Child("source"), &e.Request.Source)...)
	errs = append(errs, validateEntity(req.Child("destination"), &e.Request.Destination)...)
	switch e.Request.Protocol {
	case "", controlplane.ProtocolTCP, controlplane.ProtocolUDP, controlplane.ProtocolSCTP:
	default:
		errs = append(errs, field.NotSupported(req.Child("protocol"), e.Request.Protocol, []string{"TCP", "UDP", "SCTP"}))
	}
	if e.Request.Port < 0 || e.Request.Port > 65535 {
		errs = append(errs, field.Invalid(req.Child("port"), e.Request.Port, "must be between 0 and 65535"))
	}
	return errs
}

func validateEntity(path *field.Path, e *controlplane.Entity) field.ErrorList {
	switch {
	case e.Pod != nil && e.IP != "":
		return field.ErrorList{field.Invalid(path, "pod and ip", "give a pod or an ip, not both")}
	case e.Pod != nil:
		var errs field.ErrorList
		if e.Pod.Namespace == "" {
			errs = append(errs, field.Required(path.Child("pod", "namespace"), ""))
		}
		if e.Pod.Name == "" {
			errs = append(errs, field.Required(path.Child("pod", "name"), ""))
		}
		return errs
	case e.IP != "":
		if _, err := netip.ParseAddr(e.IP); err != nil {
			return field.ErrorList{field.Invalid(path.Child("ip"), e.IP, "not an IP address")}
		}
		return nil
	}
	return field.ErrorList{field.Required(path, "a pod or an ip")}
}

// resolve finds the Pod and address of an end (the request is valid). A named
// Pod that does not exist or has no address is a 404 naming the field.
func (x *Explainer) resolve(path string, e *controlplane.Entity, family netip.Addr) (end, error) {
	if e.Pod != nil {
		p, ok := x.cfg.Pods.Pod(e.Pod.Namespace, e.Pod.Name)
		if !ok || len(p.IPs) == 0 {
			return end{}, apierrors.NewNotFound(controlplane.Resource("pods"),
				fmt.Sprintf("%s/%s (%s.pod: no such Pod with an IP address)", e.Pod.Namespace, e.Pod.Name, path))
		}
		ip := p.IPs[0]
		for _, a := range p.IPs { // the family of the other end, when it is known
			if family.IsValid() && a.Is4() == family.Is4() {
				ip = a
				break
			}
		}
		return end{pod: &types.PodRef{Namespace: p.Namespace, Name: p.Name}, ip: ip, node: p.NodeName}, nil
	}
	ip := netip.MustParseAddr(e.IP).Unmap()
	out := end{ip: ip}
	if p, ok := x.cfg.Pods.PodByIP(ip); ok {
		out.pod, out.node = &types.PodRef{Namespace: p.Namespace, Name: p.Name}, p.NodeName
	}
	return out, nil
}
