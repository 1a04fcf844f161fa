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
	genericapiserver "k8s.io/apiserver/pkg/server"
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
		if _, err := kube.Core().V1().Nodes().Informer().AddEventHandler(nodeLeaves(aggregator)); err != nil {
			_ = client.Close()
			return fmt.Errorf("watching Nodes for their realization reports: %w", err)
		}
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
