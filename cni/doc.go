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
// Package cni is the protocol between the strata-cni plugin and strata-agent,
// and the plugin's network configuration.
//
// The plugin is thin: it forwards each CNI command (ADD, DEL, CHECK, STATUS) to
// the agent's CNI server as one JSON Request over a unix socket (default
// DefaultSocketPath, or the network config's agentSocket) and prints the
// Result the agent answers, or turns the agent's Error into a CNI error. One
// connection carries one request and one response.
//
// A network config of type "strata" looks like
//
//	{"cniVersion":"1.0.0","name":"strata","type":"strata","mtu":1450,
//	 "agentSocket":"/var/run/strata/cni.sock","ipam":{"type":"host-local"}}
//
// mtu and agentSocket are optional; ipam.type must be host-local (the default)
// and the address ranges are not part of the config: the agent takes them from
// its Node's spec.podCIDR.
package cni
