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
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/types"
)

// RefusedError is returned when Open vSwitch refused the bundle of a change
// with an OpenFlow error (e.g. OFPFMFC_TABLE_FULL). The bundle was atomic,
// so OVS holds what it held before, and the change was rolled back: what was
// installed stays installed, and later changes do not resend the refused
// flows.
type RefusedError struct {
	// Owners name what the refused flows belong to ("rule ID ...", "Pod
	// ns/name"), when known.
	Owners []string
	// Err is the error of the bundle; errors.Is finds OVS's
	// openflow.ErrorMsg in it.
	Err    error
	detail string
}

func (e *RefusedError) Error() string {
	what := "the change"
	if len(e.Owners) > 0 {
		what = "the flows of " + strings.Join(e.Owners, ", ")
	}
	return "Open vSwitch refused " + what + ": " + e.detail
}

// Unwrap returns the error of the bundle.
func (e *RefusedError) Unwrap() error { return e.Err }

// ovsRefused tells whether err carries an OpenFlow error reply: OVS refused
// the bundle, which then changed nothing. Other errors (a broken
// connection, an ended context) leave it unknown whether it was committed.
func ovsRefused(err error) bool {
	var m openflow.ErrorMsg
	return errors.As(err, &m)
}

// refusal describes a refused bundle by the owners of the flows OVS named.
// It reads the desired state, so it runs before the rollback.
func (p *Pipeline) refusal(err error) *RefusedError {
	re := &RefusedError{Err: err, detail: err.Error()}
	var batch *openflow.BatchError
	if !errors.As(err, &batch) {
		return re
	}
	var details []string
	for _, e := range batch.Errors {
		fm, ok := e.Msg.(openflow.FlowMod)
		if !ok {
			details = append(details, e.Error())
			continue
		}
		details = append(details, fmt.Sprintf("%v, for %s %s", e.Err, fm.Command, fm.Flow.Key()))
		for _, o := range p.ownersOf(fm.Flow.Key()) {
			if !slices.Contains(re.Owners, o) {
				re.Owners = append(re.Owners, o)
			}
		}
	}
	if len(details) > 0 {
		re.detail = strings.Join(details, "; ")
	}
	return re
}

// ownersOf names who contributes the desired flow with key k.
func (p *Pipeline) ownersOf(k openflow.FlowKey) []string {
	e := p.flows.entries[k]
	if e == nil {
		return nil
	}
	var out []string
	for _, o := range e.owned {
		out = append(out, p.describeOwner(o.owner))
	}
	for _, c := range e.conj {
		out = append(out, p.describeConj(c.ID))
	}
	if e.drop != nil {
		for o := range e.drop.owners {
			out = append(out, p.describeOwner(o))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (p *Pipeline) describeOwner(o ownerKey) string {
	s := string(o)
	switch {
	case strings.HasPrefix(s, "conj/"):
		id, err := strconv.ParseUint(strings.TrimPrefix(s, "conj/"), 10, 32)
		if err == nil {
			return p.describeConj(uint32(id))
		}
	case strings.HasPrefix(s, "rule/"):
		return p.describeRule(types.RuleID(strings.TrimPrefix(s, "rule/")))
	case strings.HasPrefix(s, "pod/"):
		return "Pod " + strings.TrimPrefix(s, "pod/")
	}
	return "the " + s + " flows"
}

func (p *Pipeline) describeConj(id uint32) string {
	if c, ok := p.policies.conjIdx.get(id); ok {
		return p.describeRule(c.rule)
	}
	return fmt.Sprintf("conjunction %d", id)
}

// describeRule is `rule ID "name" of Type:namespace/name`.
func (p *Pipeline) describeRule(id types.RuleID) string {
	s := "rule " + string(id)
	r, ok := p.policies.rules[id]
	if !ok {
		return s
	}
	if r.src.Name != "" {
		s += fmt.Sprintf(" %q", r.src.Name)
	}
	return s + " of " + policyRefString(r.src.Policy)
}
