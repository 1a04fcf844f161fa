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

package cniserver

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/containernetworking/cni/pkg/types"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/cni"
)

// Server is the agent's CNI server.
type Server struct {
	cfg        Config
	ipam       *ipam
	containers keyLocks
	// reconcileMu: commands hold it for reading, Reconcile for writing, so
	// Reconcile never sees a half-built attachment (an address without its port).
	reconcileMu sync.RWMutex
	// portMu: adding a port holds it for reading; deleting ports and removing
	// their flows (Sync) holds it for writing, so no new port, which may get a
	// freed OpenFlow port number, appears before the old port's flows are gone.
	portMu sync.RWMutex
}

// New returns a server; it does not listen until Run.
func New(cfg Config) (*Server, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, ipam: newIPAM(cfg.IPAMDataDir), containers: keyLocks{locks: map[string]*keyLock{}}}, nil
}

// podRequest is a validated request.
type podRequest struct {
	*cni.Request
	conf *cni.NetConf
	pod  cni.PodArgs
}

// Handle serves one request; Run calls it for each connection. Every failure is
// a CNI error in the Response.
func (s *Server) Handle(ctx context.Context, req *cni.Request) *cni.Response {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	logger := klog.FromContext(ctx).WithValues("command", req.Command, "container", req.ContainerID, "ifName", req.IfName)
	r, cerr := parseRequest(req)
	if cerr == nil {
		logger = logger.WithValues("pod", klog.KRef(r.pod.Namespace, r.pod.Name))
		ctx = klog.NewContext(ctx, logger)
		start := time.Now()
		var result []byte
		result, cerr = s.dispatch(ctx, r)
		if cerr == nil {
			logger.V(2).Info("CNI command done", "duration", time.Since(start))
			return &cni.Response{Result: result}
		}
	}
	logger.Info("CNI command failed", "code", cerr.Code, "msg", cerr.Msg, "details", cerr.Details)
	return &cni.Response{Error: cerr}
}

func parseRequest(req *cni.Request) (*podRequest, *types.Error) {
	if req.Version != cni.ProtocolVersion {
		return nil, types.NewError(cni.ErrIncompatibleProtocol, "strata-cni and strata-agent speak different protocol versions",
			fmt.Sprintf("plugin version %d, agent version %d", req.Version, cni.ProtocolVersion))
	}
	if err := req.Validate(); err != nil {
		return nil, types.NewError(types.ErrInvalidEnvironmentVariables, err.Error(), "")
	}
	conf, err := cni.ParseNetConf(req.NetworkConfig)
	if err != nil {
		return nil, cni.AsError(err)
	}
	pod, err := cni.ParseArgs(req.Args)
	if err != nil {
		return nil, types.NewError(types.ErrInvalidEnvironmentVariables, err.Error(), "")
	}
	return &podRequest{Request: req, conf: conf, pod: pod}, nil
}

func (s *Server) dispatch(ctx context.Context, r *podRequest) ([]byte, *types.Error) {
	switch r.Command {
	case cni.CmdAdd:
		return s.cmdAdd(ctx, r)
	case cni.CmdDel:
		return nil, s.cmdDel(ctx, r)
	case cni.CmdCheck:
		return nil, s.cmdCheck(ctx, r)
	default: // cni.CmdStatus; Validate refused the others
		return nil, s.cmdStatus(ctx)
	}
}

// cmdStatus answers STATUS: available once the first policy sync is done and
// the Node's Pod network is known.
func (s *Server) cmdStatus(ctx context.Context) *types.Error {
	if !s.cfg.Ready() {
		return types.NewError(types.ErrPluginNotAvailable, "strata-agent has not completed its first policy sync", "")
	}
	if _, err := s.cfg.Network.NodeNetwork(ctx); err != nil {
		return types.NewError(types.ErrPluginNotAvailable, "the Node's Pod network is not known yet", err.Error())
	}
	return nil
}
