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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// A Pod that is not on the host network has its own UTS namespace, shared by
// its containers, whose hostname is the Pod's (hostname.go), as a container
// runtime gives the Pod sandbox. It is created with the sandbox and kept alive
// by a bind mount of its nsfs file under <state-dir>/utsns, a private mount
// (prepareMountNSDir) that the containers' mount namespaces do not see, so
// that they do not keep it alive; every process of the Pod (containers, exec,
// exec probes) joins it.

// utsnsDir holds the Pods' UTS namespace files.
func utsnsDir(stateDir string) string { return filepath.Join(stateDir, "utsns") }

// createUTSNS creates a UTS namespace with the given hostname and keeps it at
// path, a new file in a dir prepared by prepareMountNSDir.
func createUTSNS(path, hostname string) error {
	if hostname == "" || len(hostname) > kernelHostnameMaxLen {
		return fmt.Errorf("UTS namespace: hostname %q: want 1 to %d characters", hostname, kernelHostnameMaxLen)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o400)
	if err != nil {
		return fmt.Errorf("UTS namespace file: %w", err)
	}
	_ = f.Close()
	errCh := make(chan error, 1)
	go func() {
		// Locked and never unlocked: the runtime terminates the thread with this
		// goroutine (or parks the main thread for good); it goes back to the
		// program's UTS namespace first all the same (see createMountNS).
		runtime.LockOSThread()
		restore, err := saveNamespace(unix.CLONE_NEWUTS)
		if err == nil {
			defer restore()
			err = unshareUTS(path, hostname)
		}
		errCh <- err
	}()
	if err := <-errCh; err != nil {
		_ = removeUTSNS(path)
		return err
	}
	return nil
}

// unshareUTS runs on a locked thread: a new UTS namespace named hostname,
// bind-mounted at path (the thread's mount namespace is the program's).
func unshareUTS(path, hostname string) error {
	if err := unix.Unshare(unix.CLONE_NEWUTS); err != nil {
		return fmt.Errorf("unshare UTS namespace: %w", err)
	}
	if err := unix.Sethostname([]byte(hostname)); err != nil {
		return fmt.Errorf("setting the hostname %q: %w", hostname, err)
	}
	self := fmt.Sprintf("/proc/%d/task/%d/ns/uts", os.Getpid(), unix.Gettid())
	if err := unix.Mount(self, path, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind-mounting the UTS namespace at %s: %w", path, err)
	}
	return nil
}

// removeUTSNS unmounts and removes a namespace file of createUTSNS; the
// namespace ends with its last process. A missing file is not an error.
func removeUTSNS(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmount UTS namespace %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove UTS namespace %s: %w", path, err)
	}
	return nil
}
