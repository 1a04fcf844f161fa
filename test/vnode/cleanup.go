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

package vnode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/klog/v2"
)

// cniDelTimeout bounds one CNI DEL.
const cniDelTimeout = 30 * time.Second

// Cleanup tears down every Pod a run of the provider left in cfg's state dir:
// processes killed, CNI DEL, namespace removed, directory removed. A new provider
// does this first; "strata-vnode cleanup" does it for scripts. Failures are
// logged and reported, and the rest is still cleaned up. It fails while a
// provider uses the state dir.
func Cleanup(ctx context.Context, cfg RuntimeConfig) error {
	cfg.Defaults()
	lock, err := lockStateDir(cfg.StateDir)
	if err != nil {
		return err
	}
	defer lock.Close()
	return errors.Join(cleanupPods(ctx, newCNIRunner(&cfg), podsDir(cfg.StateDir)),
		releaseMountNSDir(mntnsDir(cfg.StateDir)), releaseMountNSDir(utsnsDir(cfg.StateDir)))
}

func cleanupPods(ctx context.Context, cni *cniRunner, dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	var errs []error
	for _, e := range entries {
		if e.IsDir() {
			errs = append(errs, cleanupPod(ctx, cni, filepath.Join(dir, e.Name())))
		}
	}
	return errors.Join(errs...)
}

func cleanupPod(ctx context.Context, cni *cniRunner, dir string) error {
	logger := klog.FromContext(ctx).WithValues("dir", dir)
	st, err := readState(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		logger.Error(err, "Unreadable pod state, removing the directory only")
	}
	var errs []error
	if st != nil {
		logger = logger.WithValues("pod", st.Sandbox.Namespace+"/"+st.Sandbox.Name, "netns", st.Sandbox.NetNS)
		for _, p := range st.Processes {
			if killRecorded(p.PID, p.StartTicks) {
				logger.Info("Killed a process of the previous run", "container", p.Container, "pid", p.PID)
			}
		}
		errs = append(errs, teardownSandbox(ctx, cni, st, 1))
		logger.Info("Tore down a pod of the previous run")
	}
	if err := os.RemoveAll(dir); err != nil {
		errs = append(errs, fmt.Errorf("removing %s: %w", dir, err))
	}
	return errors.Join(errs...)
}

// teardownSandbox detaches the sandbox from its network (when it was attached),
// trying DEL up to attempts times, and removes its namespace, even when DEL failed.
func teardownSandbox(ctx context.Context, cni *cniRunner, st *podState, attempts int) error {
	var errs []error
	if st.Network != "" {
		var err error
		for i := 0; i < attempts; i++ {
			if i > 0 && !sleepCtx(ctx, time.Duration(i)*time.Second) {
				break
			}
			dctx, cancel := context.WithTimeout(ctx, cniDelTimeout)
			err = cni.del(dctx, st.Sandbox, st.Network)
			cancel()
			if err == nil {
				break
			}
		}
		errs = append(errs, err)
	}
	if st.Sandbox.NetNS != "" && !st.Sandbox.HostNetwork {
		errs = append(errs, removeNetNS(st.Sandbox.NetNS))
	}
	if st.UTSNS != "" {
		errs = append(errs, removeUTSNS(st.UTSNS))
	}
	errs = append(errs, removeMountNamespaces(st))
	return errors.Join(errs...)
}
