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

package pipeline

import (
	"context"
	"fmt"
)

// The pipeline's tables, in packet order, with fixed ids (see doc.go).
const (
	Classifier uint8 = iota
	SpoofGuard
	UnSNAT
	ConntrackZone
	ConntrackState
	SessionAffinity
	ServiceLB
	EndpointDNAT
	AuditEgressRule
	AntreaPolicyEgressRule
	EgressRule
	EgressDefaultRule
	EgressMetric
	L3Forwarding
	L2ForwardingCalc
	IngressSecurityClassifier
	AuditIngressRule
	AntreaPolicyIngressRule
	IngressRule
	IngressDefaultRule
	IngressMetric
	ConntrackCommit
	ServiceSNAT
	Output

	numTables
)

// missAction is what a table does with packets no flow matches.
type missAction uint8

const (
	missNext missAction = iota // goto the next table
	missDrop
	// missResubmitServices: new connections look up their client in
	// SessionAffinity (whose learned flows can only load registers, no
	// goto) and then go on in ServiceLB: resubmit to both.
	missResubmitServices
	// missStop ends a lookup-only table's resubmit without an action.
	missStop
)

type tableInfo struct {
	name string
	miss missAction
}

var tables = [numTables]tableInfo{
	Classifier:                {"Classifier", missDrop},
	SpoofGuard:                {"SpoofGuard", missDrop},
	UnSNAT:                    {"UnSNAT", missNext},
	ConntrackZone:             {"ConntrackZone", missNext},
	ConntrackState:            {"ConntrackState", missResubmitServices},
	SessionAffinity:           {"SessionAffinity", missStop},
	ServiceLB:                 {"ServiceLB", missNext},
	EndpointDNAT:              {"EndpointDNAT", missNext},
	AuditEgressRule:           {"AuditEgressRule", missNext},
	AntreaPolicyEgressRule:    {"AntreaPolicyEgressRule", missNext},
	EgressRule:                {"EgressRule", missNext},
	EgressDefaultRule:         {"EgressDefaultRule", missNext},
	EgressMetric:              {"EgressMetric", missNext},
	L3Forwarding:              {"L3Forwarding", missNext},
	L2ForwardingCalc:          {"L2ForwardingCalc", missNext},
	IngressSecurityClassifier: {"IngressSecurityClassifier", missNext},
	AuditIngressRule:          {"AuditIngressRule", missNext},
	AntreaPolicyIngressRule:   {"AntreaPolicyIngressRule", missNext},
	IngressRule:               {"IngressRule", missNext},
	IngressDefaultRule:        {"IngressDefaultRule", missNext},
	IngressMetric:             {"IngressMetric", missNext},
	ConntrackCommit:           {"ConntrackCommit", missNext},
	ServiceSNAT:               {"ServiceSNAT", missNext},
	Output:                    {"Output", missDrop},
}

// TableName returns the name of a pipeline table ("table<N>" for others).
// The packet-in handler names the deciding table (reg2) with it.
func TableName(id uint8) string {
	if id < numTables {
		return tables[id].name
	}
	return fmt.Sprintf("table%d", id)
}

// TableNames maps every table id to its name.
func TableNames() map[uint8]string {
	out := make(map[uint8]string, numTables)
	for id := range numTables {
		out[id] = tables[id].name
	}
	return out
}

// TableNamer names OpenFlow tables in OVSDB (*ovsdb.Client implements it).
type TableNamer interface {
	SetFlowTableNames(ctx context.Context, bridge string, names map[uint8]string) error
}

// NameTables writes the table names into the bridge's Flow_Table rows, so
// that `ovs-ofctl --names dump-flows` shows them and ovs-ofctl accepts
// table=NAME.
func NameTables(ctx context.Context, namer TableNamer, bridge string) error {
	if err := namer.SetFlowTableNames(ctx, bridge, TableNames()); err != nil {
		return fmt.Errorf("naming the pipeline tables: %w", err)
	}
	return nil
}
