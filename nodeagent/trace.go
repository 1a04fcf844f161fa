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

package nodeagent

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/pipeline"
	"github.com/strata-net/strata/nodeagent/traceapi"
	"github.com/strata-net/strata/nodeagent/unixctl"
)

// TraceHandler serves traceapi.Path: a connection traced through this
// Node's Open vSwitch pipeline (ovs-appctl ofproto/trace over our unixctl
// client), the flows hit mapped back to rules. Register it on the agent
// server, which authenticates and authorizes every request.
func (a *Agent) TraceHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src, dst, proto, port, err := traceParams(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p := a.running.Load()
		if p == nil {
			http.Error(w, errNotStarted.Error(), http.StatusServiceUnavailable)
			return
		}
		socket, err := unixctl.Socket(a.cfg.OVSRunDir, "ovs-vswitchd")
		if err != nil {
			http.Error(w, fmt.Sprintf("finding ovs-vswitchd's control socket: %v", err), http.StatusInternalServerError)
			return
		}
		appctl := func(args ...string) (string, error) { return unixctl.Call(r.Context(), socket, args[0], args[1:]...) }
		res, err := p.pipeline.Trace(appctl, a.cfg.Bridge, src, dst, proto, port)
		if errors.Is(err, pipeline.ErrNotLocal) {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		if err != nil {
			klog.FromContext(r.Context()).Error(err, "Trace failed", "src", src, "dst", dst)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(traceResponse(a.cfg.NodeName, res))
	})
}

// traceParams reads and checks the query, naming the bad parameter.
func traceParams(r *http.Request) (src, dst netip.Addr, proto v1beta2.Protocol, port uint16, err error) {
	q := r.URL.Query()
	if src, err = netip.ParseAddr(q.Get(traceapi.ParamSrc)); err != nil {
		return src, dst, "", 0, fmt.Errorf("%s %q: not an IP address", traceapi.ParamSrc, q.Get(traceapi.ParamSrc))
	}
	if dst, err = netip.ParseAddr(q.Get(traceapi.ParamDst)); err != nil {
		return src, dst, "", 0, fmt.Errorf("%s %q: not an IP address", traceapi.ParamDst, q.Get(traceapi.ParamDst))
	}
	if src.Is4() != dst.Is4() {
		return src, dst, "", 0, fmt.Errorf("%s and %s: not of the same IP family", traceapi.ParamSrc, traceapi.ParamDst)
	}
	proto = v1beta2.Protocol(strings.ToUpper(q.Get(traceapi.ParamProtocol)))
	switch proto {
	case "":
		proto = v1beta2.ProtocolTCP
	case v1beta2.ProtocolTCP, v1beta2.ProtocolUDP, v1beta2.ProtocolSCTP:
	default:
		return src, dst, "", 0, fmt.Errorf("%s %q: must be TCP, UDP or SCTP", traceapi.ParamProtocol, proto)
	}
	p, perr := strconv.ParseUint(q.Get(traceapi.ParamPort), 10, 16)
	if perr != nil || p == 0 {
		return src, dst, "", 0, fmt.Errorf("%s %q: must be 1..65535", traceapi.ParamPort, q.Get(traceapi.ParamPort))
	}
	return src.Unmap(), dst.Unmap(), proto, uint16(p), nil
}

func traceResponse(node string, res pipeline.TraceResult) traceapi.Response {
	out := traceapi.Response{Node: node, DatapathActions: res.DatapathActions}
	side := func(s pipeline.TraceSide) *traceapi.Side {
		if !s.Reached {
			return nil
		}
		return &traceapi.Side{Verdict: string(s.Verdict), Rule: string(s.Rule), Policy: s.Policy,
			RuleName: s.RuleName, Isolation: s.Isolation, AuditPolicy: s.AuditedPolicy, AuditRuleName: s.AuditedRuleName}
	}
	out.Egress, out.Ingress = side(res.Egress), side(res.Ingress)
	return out
}
