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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// crashHelperEnv makes the test binary run a provider with one Pod and wait to be
// killed (see TestRestartCleansUpAfterCrash).
const crashHelperEnv = "VNODE_TEST_CRASH_HELPER"

// crashReport is what the helper prints once its Pod runs.
type crashReport struct {
	NetNS string `json:"netns"`
	UTSNS string `json:"utsns"`
	IP    string `json:"ip"`
	PID   int    `json:"pid"`
}

func runCrashHelper() {
	var cfg RuntimeConfig
	if err := json.Unmarshal([]byte(os.Getenv(crashHelperEnv)), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "crash helper:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	p, err := NewProvider(ctx, cfg)
	if err == nil {
		err = p.CreatePod(ctx, newPod("survivor", responderContainer(3000)))
	}
	var rep crashReport
	if err == nil {
		err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
			r := p.lookup(podKey("default", "survivor"))
			r.mu.Lock()
			defer r.mu.Unlock()
			if proc := r.containers[0].proc; proc != nil && len(r.ips) > 0 {
				rep = crashReport{NetNS: r.state.Sandbox.NetNS, UTSNS: r.state.UTSNS, IP: r.ips[0], PID: proc.pid}
				return true, nil
			}
			return false, nil
		})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash helper:", err)
		os.Exit(2)
	}
	_ = json.NewEncoder(os.Stdout).Encode(rep)
	select {} // until killed
}

// TestRestartCleansUpAfterCrash kills a provider with a running Pod (SIGKILL: no
// shutdown) and checks that the next provider on the same state dir kills the
// Pod's processes, releases its address and removes its namespace.
func TestRestartCleansUpAfterCrash(t *testing.T) {
	h := newHarness(t, harnessOptions{noProvider: true})
	cfgJSON, err := json.Marshal(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), crashHelperEnv+"="+string(cfgJSON))
	helper.Stderr = os.Stderr
	stdout, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = helper.Process.Kill(); _ = helper.Wait() })
	reports := make(chan crashReport, 1)
	go func() {
		var rep crashReport
		sc := bufio.NewScanner(stdout)
		if sc.Scan() && json.Unmarshal(sc.Bytes(), &rep) == nil {
			reports <- rep
		}
		close(reports)
	}()
	var rep crashReport
	select {
	case r, ok := <-reports:
		if !ok {
			t.Fatal("the crash helper exited without reporting its pod")
		}
		rep = r
	case <-time.After(2 * waitTimeout):
		t.Fatal("timed out waiting for the crash helper's pod")
	}
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()

	if !alive(rep.PID) {
		t.Fatalf("the pod's process %d died with the provider; the test needs it to survive", rep.PID)
	}
	if _, err := os.Stat(rep.NetNS); err != nil || !h.ipReserved(rep.IP) {
		t.Fatalf("before the restart: netns %v, IP %s reserved %v", err, rep.IP, h.ipReserved(rep.IP))
	}
	if mounted, err := isMountPoint(rep.UTSNS); err != nil || !mounted {
		t.Fatalf("before the restart: UTS namespace file %q mounted %v (%v)", rep.UTSNS, mounted, err)
	}

	h.startProvider()
	if err := wait.PollUntilContextTimeout(h.ctx, 50*time.Millisecond, waitTimeout, true, func(context.Context) (bool, error) {
		return !alive(rep.PID), nil
	}); err != nil {
		t.Errorf("the previous run's process %d is still alive after %s", rep.PID, waitTimeout)
	}
	if _, err := os.Stat(rep.NetNS); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the previous run's netns %s is still there (%v)", rep.NetNS, err)
	}
	if h.ipReserved(rep.IP) {
		t.Errorf("the previous run's IP %s is still reserved", rep.IP)
	}
	if _, err := os.Stat(rep.UTSNS); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the previous run's UTS namespace file %s is still there (%v)", rep.UTSNS, err)
	}
	if entries, _ := os.ReadDir(podsDir(h.cfg.StateDir)); len(entries) != 0 {
		t.Errorf("pod dirs left: %v", entries)
	}
}

// alive reports a process that exists and is not a zombie.
func alive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}
