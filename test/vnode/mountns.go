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
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// mountSpec is one bind mount of a container's mount namespace: a host file or
// directory seen at Target inside the container.
type mountSpec struct {
	Source   string
	Target   string
	ReadOnly bool
}

// A container's mount namespace is the host's (the same files: containers run
// host binaries) with its own mounts on top: its volumes, its image's binary
// (/agnhost, /coredns) and /etc/resolv.conf.
// It is created once per container start-up, kept alive by a bind mount of its
// nsfs file under <state-dir>/mntns (as "unshare --mount=FILE" keeps one), and
// every process of the container, exec'd ones and exec probes included, runs
// in it. Mounts of the host reach it (slave propagation); its own never reach
// the host. A mount point the host lacks is created on the host as an empty
// directory or file, as a runtime creates it in a container's root file system.

// prepareMountNSDir creates dir as a private mount (a bind mount on itself when
// it is not a mount point yet): nsfs files can only be bind-mounted where the
// mount does not propagate.
func prepareMountNSDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("mount namespace dir: %w", err)
	}
	mounted, err := isMountPoint(dir)
	if err != nil {
		return err
	}
	if !mounted {
		if err := unix.Mount(dir, dir, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind-mounting %s on itself: %w", dir, err)
		}
	}
	if err := unix.Mount("", dir, "", unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making %s a private mount: %w", dir, err)
	}
	return nil
}

// releaseMountNSDir unmounts what prepareMountNSDir mounted (with every
// namespace file left in it) and removes the directory. A missing dir is fine.
func releaseMountNSDir(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	entries, _ := os.ReadDir(dir)
	var errs []error
	for _, e := range entries {
		errs = append(errs, removeMountNS(filepath.Join(dir, e.Name())))
	}
	if mounted, err := isMountPoint(dir); err != nil {
		errs = append(errs, err)
	} else if mounted {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			errs = append(errs, fmt.Errorf("unmounting %s: %w", dir, err))
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, fmt.Errorf("removing %s: %w", dir, err))
	}
	return errors.Join(errs...)
}

// isMountPoint reports whether path is a mount point in the calling thread's
// mount namespace (/proc/thread-self/mountinfo: /proc/self is the main
// thread's, which may have been used and left in another namespace).
func isMountPoint(path string) (bool, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false, fmt.Errorf("resolving %s: %w", path, err)
	}
	f, err := os.Open("/proc/thread-self/mountinfo")
	if err != nil {
		return false, fmt.Errorf("reading the mount table: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && unescapeMountinfo(fields[4]) == real {
			return true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("reading the mount table: %w", err)
	}
	return false, nil
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) of mountinfo.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// createMountNS creates a mount namespace with mounts (parents before
// children) and keeps it at path, a new file in a dir prepared by
// prepareMountNSDir. hide are mounts removed from the new namespace: the other
// containers' namespace files, which it would otherwise keep alive.
func createMountNS(path string, mounts []mountSpec, hide []string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o400)
	if err != nil {
		return fmt.Errorf("mount namespace file: %w", err)
	}
	_ = f.Close()
	type result struct {
		tid int
		err error
	}
	ready := make(chan result, 1)
	release := make(chan struct{})
	go func() {
		// Locked and never unlocked: the runtime terminates the thread with this
		// goroutine (or, the main thread, parks it for good), so no other goroutine
		// runs there; it goes back to the program's namespace first all the same, so
		// that a parked main thread does not keep the new one alive.
		runtime.LockOSThread()
		restore, err := saveNamespace(unix.CLONE_NEWNS)
		if err == nil {
			defer restore()
			err = setupMountNS(mounts, hide)
		}
		ready <- result{tid: unix.Gettid(), err: err}
		<-release
	}()
	res := <-ready
	err = res.err
	if err == nil {
		// From this goroutine, in the program's own namespace: the file must be
		// mounted where the new namespace is not.
		self := fmt.Sprintf("/proc/%d/task/%d/ns/mnt", os.Getpid(), res.tid)
		if merr := unix.Mount(self, path, "", unix.MS_BIND, ""); merr != nil {
			err = fmt.Errorf("bind-mounting the mount namespace at %s: %w", path, merr)
		}
	}
	close(release)
	if err != nil {
		_ = os.Remove(path)
		return err
	}
	return nil
}

// setupMountNS runs on a locked thread: a new mount namespace, slave to the
// host's, with the mounts.
func setupMountNS(mounts []mountSpec, hide []string) error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare mount namespace: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("making the mounts slaves of the host's: %w", err)
	}
	for _, h := range hide {
		if err := unix.Unmount(h, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("unmounting %s in the new namespace: %w", h, err)
		}
	}
	for _, m := range sortMounts(mounts) {
		if err := bindMount(m); err != nil {
			return err
		}
	}
	return nil
}

// sortMounts orders mounts so that a parent is mounted before its children,
// keeping the given order otherwise (as runtimes sort by path depth).
func sortMounts(mounts []mountSpec) []mountSpec {
	out := append([]mountSpec(nil), mounts...)
	sort.SliceStable(out, func(i, j int) bool {
		return depth(out[i].Target) < depth(out[j].Target)
	})
	return out
}

func depth(p string) int {
	return len(strings.Split(strings.Trim(filepath.Clean(p), "/"), "/"))
}

// bindMount mounts m.Source at m.Target, read-only when asked, creating the
// mount point like the source (directory or file) when it is missing.
func bindMount(m mountSpec) error {
	st, err := os.Stat(m.Source)
	if err != nil {
		return fmt.Errorf("mount source: %w", err)
	}
	if err := ensureMountPoint(m.Target, st.IsDir()); err != nil {
		return err
	}
	if err := unix.Mount(m.Source, m.Target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind-mounting %s at %s: %w", m.Source, m.Target, err)
	}
	if m.ReadOnly {
		if err := unix.Mount("", m.Target, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("remounting %s read-only: %w", m.Target, err)
		}
	}
	return nil
}

func ensureMountPoint(target string, dir bool) error {
	if _, err := os.Stat(target); err == nil {
		return nil
	}
	if dir {
		if err := os.MkdirAll(target, 0o755); err != nil {
			return fmt.Errorf("mount point: %w", err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("mount point: %w", err)
	}
	f, err := os.OpenFile(target, os.O_CREATE|os.O_RDONLY, 0o644)
	if err != nil {
		return fmt.Errorf("mount point: %w", err)
	}
	return f.Close()
}

// removeMountNS unmounts and removes a namespace file of createMountNS; the
// namespace ends with its last process. A missing file is not an error.
func removeMountNS(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmount mount namespace %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove mount namespace %s: %w", path, err)
	}
	return nil
}

// namespaces are the namespace files a process joins; an empty one is the
// program's own.
type namespaces struct {
	Net string // network namespace
	Mnt string // mount namespace
	UTS string // UTS namespace (hostname)
}

// inNamespaces runs fn on a thread inside ns. Processes started by fn start in
// them.
func inNamespaces(ns namespaces, fn func() error) error {
	if ns.Mnt == "" && ns.UTS == "" {
		return inNetNS(ns.Net, fn)
	}
	errCh := make(chan error, 1)
	go func() {
		// Locked and never unlocked: the thread joins the namespaces and the runtime
		// terminates it with this goroutine (see createMountNS).
		runtime.LockOSThread()
		errCh <- enterAndRun(ns, fn)
	}()
	return <-errCh
}

func enterAndRun(ns namespaces, fn func() error) error {
	joins := []struct {
		path   string
		nstype int
		fd     int
	}{{path: ns.Mnt, nstype: unix.CLONE_NEWNS}, {path: ns.UTS, nstype: unix.CLONE_NEWUTS}, {path: ns.Net, nstype: unix.CLONE_NEWNET}}
	// Every file is opened before any is joined: the UTS namespace files are not
	// in the containers' mount namespaces.
	for i := range joins {
		joins[i].fd = -1
		if joins[i].path == "" {
			continue
		}
		fd, err := unix.Open(joins[i].path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("namespace %s: %w", joins[i].path, err)
		}
		defer unix.Close(fd)
		joins[i].fd = fd
	}
	if ns.Mnt != "" {
		// A thread sharing its file system attributes (every Go thread) may not join a
		// mount namespace.
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			return fmt.Errorf("unshare CLONE_FS: %w", err)
		}
	}
	for _, j := range joins {
		if j.fd < 0 {
			continue
		}
		restore, err := saveNamespace(j.nstype)
		if err != nil {
			return err
		}
		defer restore()
		if err := unix.Setns(j.fd, j.nstype); err != nil {
			return fmt.Errorf("joining namespace %s: %w", j.path, err)
		}
	}
	return fn()
}

// saveNamespace keeps the calling thread's namespace of nstype; the returned
// function makes the thread join it again (best effort: the thread is thrown
// away anyway).
func saveNamespace(nstype int) (func(), error) {
	name := map[int]string{unix.CLONE_NEWNS: "mnt", unix.CLONE_NEWNET: "net", unix.CLONE_NEWUTS: "uts"}[nstype]
	fd, err := unix.Open("/proc/thread-self/ns/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("the thread's %s namespace: %w", name, err)
	}
	return func() {
		_ = unix.Setns(fd, nstype)
		_ = unix.Close(fd)
	}, nil
}
