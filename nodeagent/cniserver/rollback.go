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

package cniserver

import (
	"context"
	"time"

	"k8s.io/klog/v2"
)

// rollbackTimeout bounds undoing a failed ADD; it runs even when the request's
// context has ended.
const rollbackTimeout = 30 * time.Second

// rollback undoes the steps of a failed ADD in reverse order.
type rollback struct {
	steps []undoStep
}

type undoStep struct {
	what string
	do   func(ctx context.Context) error
}

func (u *rollback) add(what string, do func(ctx context.Context) error) {
	u.steps = append(u.steps, undoStep{what: what, do: do})
}

// run undoes every step; failures are logged (a later DEL or Reconcile cleans
// what is left).
func (u *rollback) run(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	logger := klog.FromContext(ctx)
	for i := len(u.steps) - 1; i >= 0; i-- {
		if err := u.steps[i].do(ctx); err != nil {
			logger.Error(err, "Rolling back a failed ADD", "step", u.steps[i].what)
		}
	}
}
