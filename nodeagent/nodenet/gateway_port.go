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

package nodenet

import (
	"context"
	"fmt"

	"k8s.io/klog/v2"

	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
)

// PortDB is the part of the OVSDB client the gateway needs
// (*ovsdb.Client implements it).
type PortDB interface {
	ListPorts(ctx context.Context, f ovsdb.PortFilter) ([]ovsdb.PortInfo, error)
	Transact(ctx context.Context, ops ...ovsdb.Operation) ([]ovsdb.OperationResult, error)
	WaitOFPort(ctx context.Context, name string) (int32, error)
}

// ownerKey marks the OVS rows the agent created.
const ownerKey, ownerValue = "strata.io/owner", "strata-agent"

// SetupGateway creates the gateway port on the bridge (an internal
// interface with a fixed MAC, MTU and ofport request), or corrects an
// existing one, waits for its ofport, and configures the host interface:
// the gateway addresses (other global addresses are removed), the MTU, and
// up. It is idempotent: an agent restart finds everything in place.
func SetupGateway(ctx context.Context, db PortDB, cfg GatewayConfig) (*Gateway, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	gw := newGateway(cfg)
	if err := ensurePort(ctx, db, cfg, gw); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, cfg.ReadyTimeout)
	defer cancel()
	ofport, err := db.WaitOFPort(wctx, cfg.Name)
	if err != nil {
		return nil, fmt.Errorf("gateway %s: %w", cfg.Name, err)
	}
	gw.OFPort = ofport
	if err := configureHostLink(ctx, NetNSPath(cfg.NetNS), gw, cfg.ReadyTimeout); err != nil {
		return nil, err
	}
	klog.FromContext(ctx).Info("Gateway ready", "name", gw.Name, "ofport", gw.OFPort, "mac", gw.MAC.String(),
		"addresses", gw.IPNets(), "netns", cfg.NetNS)
	return gw, nil
}

// ensurePort creates the gateway's Port and Interface rows, or updates the
// Interface of an existing port, in one transaction.
func ensurePort(ctx context.Context, db PortDB, cfg GatewayConfig, gw *Gateway) error {
	ports, err := db.ListPorts(ctx, ovsdb.PortFilter{Bridge: cfg.Bridge, Name: cfg.Name})
	if err != nil {
		return fmt.Errorf("gateway %s: looking for the port on bridge %s: %w", cfg.Name, cfg.Bridge, err)
	}
	iface := map[string]any{
		"type":           "internal",
		"mac":            gw.MAC.String(),
		"mtu_request":    cfg.MTU,
		"ofport_request": cfg.OFPortRequest,
	}
	if len(ports) > 0 {
		_, err := db.Transact(ctx, ovsdb.Update("Interface", []ovsdb.Condition{ovsdb.Equal("name", cfg.Name)}, iface))
		if err != nil {
			return fmt.Errorf("gateway %s: updating the interface: %w", cfg.Name, err)
		}
		return nil
	}
	iface["name"] = cfg.Name
	port := map[string]any{
		"name":         cfg.Name,
		"interfaces":   ovsdb.Set{ovsdb.NamedUUID("iface")},
		"external_ids": ovsdb.StringMap(map[string]string{ownerKey: ownerValue}),
	}
	res, err := db.Transact(ctx,
		ovsdb.Insert("Interface", iface, "iface"),
		ovsdb.Insert("Port", port, "port"),
		ovsdb.MutateOp("Bridge", []ovsdb.Condition{ovsdb.Equal("name", cfg.Bridge)},
			ovsdb.InsertTo("ports", ovsdb.Set{ovsdb.NamedUUID("port")})),
	)
	if err != nil {
		return fmt.Errorf("gateway %s: adding the port to bridge %s: %w", cfg.Name, cfg.Bridge, err)
	}
	if res[2].Count != 1 {
		return fmt.Errorf("gateway %s: bridge %s %w", cfg.Name, cfg.Bridge, ovsdb.ErrNotFound)
	}
	klog.FromContext(ctx).V(2).Info("Added the gateway port", "bridge", cfg.Bridge, "port", cfg.Name)
	return nil
}
