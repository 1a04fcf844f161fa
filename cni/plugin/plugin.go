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

// Package plugin is the logic of the strata-cni binary: it validates the
// network config, forwards the command to strata-agent and prints the agent's
// result. It keeps no state and touches no network namespace.
package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/strata-net/strata/cni"
)

// About is printed when the binary runs without CNI_COMMAND.
const About = "strata-cni: forwards CNI commands to strata-agent"

// Funcs are the skel callbacks. GC is not forwarded: the agent collects
// leaked addresses and ports itself when it starts (skel answers GC with
// success).
func Funcs() skel.CNIFuncs {
	return skel.CNIFuncs{Add: Add, Del: Del, Check: Check, Status: Status}
}

// Add forwards ADD and prints the agent's result on stdout.
func Add(args *skel.CmdArgs) error { return forward(cni.CmdAdd, args, os.Stdout) }

// Del forwards DEL.
func Del(args *skel.CmdArgs) error { return forward(cni.CmdDel, args, nil) }

// Check forwards CHECK.
func Check(args *skel.CmdArgs) error { return forward(cni.CmdCheck, args, nil) }

// Status forwards STATUS.
func Status(args *skel.CmdArgs) error { return forward(cni.CmdStatus, args, nil) }

// forward sends one command to the agent. out receives the result (ADD only).
func forward(cmd cni.Command, args *skel.CmdArgs, out io.Writer) error {
	conf, err := cni.ParseNetConf(args.StdinData)
	if err != nil {
		return cni.AsError(err)
	}
	req := &cni.Request{Command: cmd, ContainerID: args.ContainerID, Netns: args.Netns, IfName: args.IfName,
		Args: args.Args, Path: args.Path, NetworkConfig: args.StdinData}
	resp, err := cni.NewClient(conf.Socket(), conf.Timeout()).Do(context.Background(), req)
	if err != nil {
		return transportError(cmd, err)
	}
	if resp.Error != nil {
		return resp.Error
	}
	if out != nil {
		if len(resp.Result) == 0 {
			return types.NewError(types.ErrInternal, fmt.Sprintf("strata-agent answered %s without a result", cmd), "")
		}
		if _, err := out.Write(resp.Result); err != nil {
			return types.NewError(types.ErrIOFailure, fmt.Sprintf("writing the result: %v", err), "")
		}
	}
	return nil
}

// transportError maps a failure to reach the agent: TRY_AGAIN_LATER (STATUS:
// plugin not available, as the spec asks), other failures are internal.
func transportError(cmd cni.Command, err error) *types.Error {
	if !errors.Is(err, cni.ErrUnavailable) {
		return types.NewError(types.ErrInternal, err.Error(), "")
	}
	code := types.ErrTryAgainLater
	if cmd == cni.CmdStatus {
		code = types.ErrPluginNotAvailable
	}
	return types.NewError(code, "strata-agent is not reachable; it may be starting, try again later", err.Error())
}
