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
	"context"
	"fmt"
	"net/http"
	"time"

	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/healthz"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apiserver/podstartup"
	"github.com/strata-net/strata/apiserver/podstartup/replicas"
	"github.com/strata-net/strata/apiserver/podstartup/startingpods"
	"github.com/strata-net/strata/apiserver/policy"
	"github.com/strata-net/strata/apiserver/reports"
	cpregistry "github.com/strata-net/strata/registry/controlplane"
)

// readyzReplicas is the /readyz check that passes once this replica is
// registered for the Pod start-up barrier across replicas.
const readyzReplicas = "strata-podstartup-replicas"

// shareStartups runs the Pod start-up barrier across replicas when strata's etcd
// is shared (apiserver/podstartup/replicas): it returns the gate of the
// controlplane API, closed until this replica is registered; the gate is
// returned unchanged when the barrier stays in this process.
func (c CompletedConfig) shareStartups(gs *genericapiserver.GenericAPIServer, gate cpregistry.Gate, barrier *podstartup.Barrier,
	tracker *podstartup.Tracker, stores *cpregistry.Stores, computation *policy.Controller) (cpregistry.Gate, error) {
	cfg := c.ExtraConfig.SharedReports
	if cfg == nil {
		return gate, nil
	}
	client, err := reports.Dial(*cfg)
	if err != nil {
		return nil, err
	}
	coordinator, err := replicas.New(replicas.Config{Client: client, Prefix: cfg.Prefix, Epoch: tracker.Epoch(),
		Local: barrier, Acks: tracker, Computed: gate.Ready, Rejoin: computation.ReloadReported, OnLost: func() {
			klog.InfoS("Dropping every controlplane watch until this replica is registered again", "watches", stores.DropWatchers())
		}})
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("the Pod start-up barrier across replicas: %w", err)
	}
	barrier.JoinPeers(coordinator)
	tracker.ForwardTo(coordinator)
	if err := gs.AddReadyzChecks(healthz.NamedCheck(readyzReplicas, func(*http.Request) error { return coordinator.Ready() })); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("adding the readiness check of the Pod start-up barrier: %w", err)
	}
	if err := gs.AddPostStartHook("strata-podstartup-replicas", func(ctx genericapiserver.PostStartHookContext) error {
		go coordinator.Run(ctx)
		return nil
	}); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("adding the Pod start-up barrier hook: %w", err)
	}
	gs.AddPreShutdownHookOrDie("strata-podstartup-replicas", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := coordinator.Close(ctx); err != nil {
			klog.ErrorS(err, "Withdrawing this replica from the Pod start-up barrier")
		}
		if err := client.Close(); err != nil {
			klog.ErrorS(err, "Closing the Pod start-up barrier's etcd client")
		}
		return nil
	})
	return allGates{gate, coordinator}, nil
}

// startingPodStore keeps the addresses reported for starting Pods in strata's
// etcd when it is shared (apiserver/podstartup/startingpods); nil: in memory.
func (c CompletedConfig) startingPodStore(gs *genericapiserver.GenericAPIServer) (policy.ReportedAddressStore, error) {
	cfg := c.ExtraConfig.SharedReports
	if cfg == nil {
		return nil, nil
	}
	client, err := reports.Dial(*cfg)
	if err != nil {
		return nil, err
	}
	store, err := startingpods.New(client, cfg.Prefix)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	gs.AddPreShutdownHookOrDie("strata-starting-pods", func() error {
		if err := client.Close(); err != nil {
			klog.ErrorS(err, "Closing the starting Pods' etcd client")
		}
		return nil
	})
	return store, nil
}

// allGates is open when every gate is.
type allGates []cpregistry.Gate

// Ready implements cpregistry.Gate.
func (g allGates) Ready() error {
	for _, gate := range g {
		if err := gate.Ready(); err != nil {
			return err
		}
	}
	return nil
}
