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

package ovsdb

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/klog/v2"
)

// maxOFPortRequest is the largest ofport_request the schema allows.
const maxOFPortRequest = 65279

// PortConfig describes a Port with its single Interface.
type PortConfig struct {
	Bridge string
	Name   string
	// Type is the interface type: "" (a system device such as a veth),
	// "internal", "geneve", "vxlan", ...
	Type string
	// OFPortRequest asks vswitchd for this OpenFlow port number; 0 lets it
	// choose.
	OFPortRequest int32
	// ExternalIDs go on the Port row (where the agent keeps pod identity).
	ExternalIDs map[string]string
	// InterfaceExternalIDs go on the Interface row.
	InterfaceExternalIDs map[string]string
	// Options are interface options, e.g. remote_ip for tunnels.
	Options map[string]string
}

// Validate checks the config for values the database would refuse.
func (c PortConfig) Validate() error {
	if c.Bridge == "" || c.Name == "" {
		return errors.New("bridge and port name must be set")
	}
	if c.OFPortRequest < 0 || c.OFPortRequest > maxOFPortRequest {
		return fmt.Errorf("ofport request %d out of range 1..%d", c.OFPortRequest, maxOFPortRequest)
	}
	return nil
}

// AddPort creates the Interface and the Port and attaches the port to the
// bridge, in one transaction. It returns the Port UUID. It fails if the bridge
// does not exist (wrapping ErrNotFound) or a port of that name exists.
func (c *Client) AddPort(ctx context.Context, cfg PortConfig) (UUID, error) {
	if err := cfg.Validate(); err != nil {
		return "", fmt.Errorf("add port %q: %w", cfg.Name, err)
	}
	iface := map[string]any{
		"name":         cfg.Name,
		"type":         cfg.Type,
		"external_ids": StringMap(cfg.InterfaceExternalIDs),
		"options":      StringMap(cfg.Options),
	}
	if cfg.OFPortRequest != 0 {
		iface["ofport_request"] = cfg.OFPortRequest
	}
	port := map[string]any{
		"name":         cfg.Name,
		"interfaces":   Set{NamedUUID("iface")},
		"external_ids": StringMap(cfg.ExternalIDs),
	}
	res, err := c.Transact(ctx,
		Insert("Interface", iface, "iface"),
		Insert("Port", port, "port"),
		MutateOp("Bridge", []Condition{Equal("name", cfg.Bridge)}, InsertTo("ports", Set{NamedUUID("port")})),
	)
	if err != nil {
		return "", fmt.Errorf("add port %q to bridge %q: %w", cfg.Name, cfg.Bridge, err)
	}
	if res[2].Count != 1 {
		// Nothing references the new rows: the server garbage-collected them.
		return "", fmt.Errorf("add port %q: bridge %q %w", cfg.Name, cfg.Bridge, ErrNotFound)
	}
	klog.FromContext(ctx).V(2).Info("Added OVS port", "bridge", cfg.Bridge, "port", cfg.Name,
		"type", cfg.Type, "ofportRequest", cfg.OFPortRequest)
	return res[1].UUID, nil
}

// DeletePort detaches the port from its bridge and deletes it with its
// interfaces. Deleting a port that does not exist succeeds.
func (c *Client) DeletePort(ctx context.Context, name string) error {
	uuid, found, err := c.lookupUUID(ctx, "Port", name)
	if err != nil || !found {
		if err != nil {
			err = fmt.Errorf("delete port %q: %w", name, err)
		}
		return err
	}
	// Replaying the deletion is harmless (it matches nothing the second
	// time), so it is sent again if the connection drops meanwhile.
	_, err = c.transact(ctx, true,
		MutateOp("Bridge", []Condition{Includes("ports", Set{uuid})}, DeleteFrom("ports", Set{uuid})),
		Delete("Port", []Condition{Equal("_uuid", uuid)}),
	)
	if err != nil {
		return fmt.Errorf("delete port %q: %w", name, err)
	}
	klog.FromContext(ctx).V(2).Info("Deleted OVS port", "port", name)
	return nil
}
