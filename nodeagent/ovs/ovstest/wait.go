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

package ovstest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// pollInterval is how often readiness conditions are checked.
const pollInterval = 50 * time.Millisecond

// fatalError marks a condition error that makes retrying pointless (for
// example the daemon being waited for has exited).
type fatalError struct{ err error }

func (e fatalError) Error() string { return e.err.Error() }
func (e fatalError) Unwrap() error { return e.err }

// pollUntil polls cond until it returns true, returns a fatalError, or timeout
// expires. Other cond errors are retried. The error says what was awaited and
// the last error seen.
func pollUntil(ctx context.Context, timeout time.Duration, what string, cond func(context.Context) (bool, error)) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		done, err := cond(ctx)
		var fe fatalError
		if errors.As(err, &fe) {
			return false, fe
		}
		if err != nil {
			last = err
		}
		return done, nil
	})
	var fe fatalError
	if errors.As(err, &fe) {
		return fmt.Errorf("waiting for %s: %w", what, fe.err)
	}
	if err != nil {
		return fmt.Errorf("timed out after %v waiting for %s (last error: %v): %w", timeout, what, last, err)
	}
	return nil
}
