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
	"fmt"
)

// OperationResult is the server's result for one operation.
type OperationResult struct {
	Count   int    `json:"count,omitempty"`
	UUID    UUID   `json:"uuid,omitempty"`
	Rows    []Row  `json:"rows,omitempty"`
	Error   string `json:"error,omitempty"`
	Details string `json:"details,omitempty"`
}

// TransactionError reports that the database refused a transaction. Index
// and Op name the failing operation; Op is "commit" when every operation
// succeeded but the commit failed (for example a constraint violation found
// only at commit time).
type TransactionError struct {
	Index   int
	Op      string
	Err     string
	Details string
}

func (e *TransactionError) Error() string {
	msg := fmt.Sprintf("ovsdb refused operation %d (%s): %s", e.Index, e.Op, e.Err)
	if e.Op == "commit" {
		msg = "ovsdb refused commit: " + e.Err
	}
	if e.Details != "" {
		msg += ": " + e.Details
	}
	return msg
}

// Transact runs ops as one atomic transaction on the Open_vSwitch database.
// If the server refuses it, the error is a *TransactionError and nothing was
// committed. While the client reconnects it waits for the connection,
// bounded by ctx. If the connection drops while the transaction is in
// flight, a read-only one (select and wait operations) is sent again on the
// next connection; any other fails with an error wrapping ErrDisconnected,
// and may or may not have been committed.
func (c *Client) Transact(ctx context.Context, ops ...Operation) ([]OperationResult, error) {
	return c.transact(ctx, readOnly(ops), ops...)
}

// transact is Transact; resend says whether replaying the transaction after
// a lost connection is harmless.
func (c *Client) transact(ctx context.Context, resend bool, ops ...Operation) ([]OperationResult, error) {
	params := make([]any, 0, len(ops)+1)
	params = append(params, Database)
	for _, op := range ops {
		params = append(params, op)
	}
	var raw []*OperationResult
	if err := c.call(ctx, "transact", params, resend, &raw); err != nil {
		return nil, err
	}
	results := make([]OperationResult, len(ops))
	for i, r := range raw {
		if r == nil {
			continue // not executed because an earlier operation failed
		}
		if r.Error != "" {
			return nil, transactionError(ops, i, r)
		}
		if i < len(results) {
			results[i] = *r
		}
	}
	if len(raw) < len(ops) {
		return nil, fmt.Errorf("transact: %d results for %d operations", len(raw), len(ops))
	}
	c.logger.V(5).Info("OVSDB transaction committed", "operations", len(ops))
	return results, nil
}

func transactionError(ops []Operation, i int, r *OperationResult) error {
	op := "commit"
	if i < len(ops) {
		op = ops[i].String()
	}
	return &TransactionError{Index: i, Op: op, Err: r.Error, Details: r.Details}
}

// readOnly tells whether the operations only read the database.
func readOnly(ops []Operation) bool {
	for _, op := range ops {
		if op.Op != "select" && op.Op != "wait" {
			return false
		}
	}
	return true
}
