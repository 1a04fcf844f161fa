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

package apiserver

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	genericapiserver "k8s.io/apiserver/pkg/server"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apiserver/policy"
	"github.com/strata-net/strata/apiserver/reports"
)

// shareReports keeps the agents' realization reports in etcd when configured: the
// aggregator writes each report there, and records them from a mirror of etcd that
// runs once the server does; the reports of a deleted Node are dropped.
func (c CompletedConfig) shareReports(gs *genericapiserver.GenericAPIServer, aggregator *policy.StatusAggregator) error {
	cfg := c.ExtraConfig.SharedReports
	if cfg == nil {
		return nil
	}
	store, client, err := reports.NewStore(*cfg)
	if err != nil {
		return err
	}
	mirror := reports.NewMirror(store, aggregator)
	aggregator.ShareReports(store, mirror)
	if kube := c.ExtraConfig.KubeInformers; kube != nil {
		nodes := kube.Core().V1().Nodes()
		if _, err := nodes.Informer().AddEventHandler(nodeLeaves(aggregator)); err != nil {
			_ = client.Close()
			return fmt.Errorf("watching Nodes for their realization reports: %w", err)
		}
		aggregator.SweepNodesAtTerm(nodeExists(nodes.Informer().HasSynced, nodes.Lister()))
	}
	if err := gs.AddPostStartHook("strata-realization-reports", func(ctx genericapiserver.PostStartHookContext) error {
		go mirror.Run(ctx)
		return nil
	}); err != nil {
		_ = client.Close()
		return fmt.Errorf("adding the realization reports hook: %w", err)
	}
	gs.AddPreShutdownHookOrDie("strata-realization-reports", func() error {
		if err := client.Close(); err != nil {
			klog.ErrorS(err, "Closing the realization reports' etcd client")
		}
		return nil
	})
	return nil
}

// nodeExists tells whether a Node is in the cluster; every Node exists until the
// informer has synced (nothing is removed on a partial view).
func nodeExists(synced func() bool, lister corelisters.NodeLister) func(string) bool {
	return func(name string) bool {
		if !synced() {
			return true
		}
		_, err := lister.Get(name)
		return !apierrors.IsNotFound(err)
	}
}

// nodeLeaves drops the reports of a deleted Node.
func nodeLeaves(aggregator *policy.StatusAggregator) cache.ResourceEventHandlerFuncs {
	return cache.ResourceEventHandlerFuncs{DeleteFunc: func(obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		if node, ok := obj.(*corev1.Node); ok {
			aggregator.ForgetNode(node.Name)
		}
	}}
}
