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

// Command strata-vnode is a node substitute for the local cluster: a
// virtual-kubelet node whose Pods are network namespaces with processes in them.
// See package test/vnode.
//
//	strata-vnode --node-name N --kubeconfig K --node-ip IP --state-dir D ...
//	strata-vnode respond --name POD --tcp 3000 --udp 3000   (the responder of non-agnhost images)
//	strata-vnode cleanup --state-dir D ...                   (tear down what a run left)
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/component-base/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cmd := newCommand()
	cmd.SetContext(ctx)
	os.Exit(cli.Run(cmd))
}
