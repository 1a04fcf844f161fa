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
	"time"

	"k8s.io/klog/v2"
)

// cancelTimeout bounds the monitor_cancel sent when WaitOFPort returns.
const cancelTimeout = 5 * time.Second

// ifaceState is what WaitOFPort last saw of the interface.
type ifaceState struct {
	seen   bool
	ofport int64
	errMsg string
}

func (s ifaceState) String() string {
	switch {
	case !s.seen:
		return "interface not in the database"
	case s.ofport == 0:
		return "ofport not assigned yet"
	case s.errMsg != "":
		return fmt.Sprintf("ofport %d, error %q", s.ofport, s.errMsg)
	default:
		return fmt.Sprintf("ofport %d", s.ofport)
	}
}

// WaitOFPort waits until vswitchd assigns the interface a valid OpenFlow port
// number and returns it. It watches the Interface table with a monitor, so
// it returns as soon as the ofport appears. ctx bounds the wait (pass a
// timeout); on expiry the error tells what was last seen, e.g. ofport -1 with
// the interface's error column.
func (c *Client) WaitOFPort(ctx context.Context, name string) (int32, error) {
	mon, err := c.Monitor(ctx, map[string][]string{"Interface": {"name", "ofport", "error"}})
	if err != nil {
		return 0, fmt.Errorf("wait for ofport of interface %q: %w", name, err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
		defer cancel()
		if err := mon.Cancel(cctx); err != nil {
			klog.FromContext(ctx).V(4).Info("Failed to cancel OVSDB monitor", "err", err)
		}
	}()
	var state ifaceState
	for {
		updates, err := mon.Next(ctx)
		if err != nil {
			return 0, fmt.Errorf("wait for ofport of interface %q (last seen: %s): %w", name, state, err)
		}
		if err := state.apply(updates, name); err != nil {
			return 0, fmt.Errorf("wait for ofport of interface %q: %w", name, err)
		}
		if state.seen && state.ofport > 0 {
			return int32(state.ofport), nil
		}
	}
}

// apply folds monitor updates about the named interface into s.
func (s *ifaceState) apply(updates TableUpdates, name string) error {
	for _, u := range updates["Interface"] {
		if u.New == nil {
			if n, _ := u.Old.String("name"); n == name {
				*s = ifaceState{}
			}
			continue
		}
		if n, err := u.New.String("name"); err != nil || n != name {
			continue
		}
		ofport, _, err := u.New.Int("ofport")
		if err != nil {
			return err
		}
		errMsg, err := u.New.String("error")
		if err != nil {
			return err
		}
		*s = ifaceState{seen: true, ofport: ofport, errMsg: errMsg}
	}
	return nil
}
