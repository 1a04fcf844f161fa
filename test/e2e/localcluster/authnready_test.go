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

package localcluster

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/strata-net/strata/apiserver/nodeauth"
)

// answerLog counts what a restarted strata-apiserver answered an agent.
type answerLog struct {
	mu         sync.Mutex
	ready      bool // /readyz of the new process answered 200
	anonymous  []string
	asAgent    int // answers naming the agent, or 200, after ready
	notReady   int // 503 while authentication is not ready
	unanswered int // connection errors (the process is down)
}

func (l *answerLog) record(code int, body string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err != nil:
		l.unanswered++
	case code == http.StatusForbidden && strings.Contains(body, "system:anonymous"):
		l.anonymous = append(l.anonymous, fmt.Sprintf("ready=%v: %s", l.ready, strings.TrimSpace(body)))
	case code == http.StatusServiceUnavailable:
		l.notReady++
	case l.ready && (code == http.StatusOK || strings.Contains(body, nodeauth.AgentUserPrefix)):
		l.asAgent++
	}
}

// TestAgentCertNeverAnonymousAcrossRestart kills strata-apiserver and hammers the
// new process with an agent's client certificate while it starts: no request is
// ever answered as system:anonymous (the client CA of
// extension-apiserver-authentication is loaded after the process starts serving;
// until then it answers 503, and /readyz fails), before or after /readyz is 200.
func TestAgentCertNeverAnonymousAcrossRestart(t *testing.T) {
	ctx := ctxT(t)
	// Any Node name: the answer only has to name who asked.
	const node = "e2e-authn-node"
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: agentTLS(t, node)}}
	url := fmt.Sprintf("https://127.0.0.1:%d/apis/controlplane.antrea.io/v1beta2/networkpolicies?fieldSelector=nodeName%%3D%s", lc.StrataPort(), node)
	log := &answerLog{}
	hammerCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hammer(hammerCtx, client, url, log)
		}()
	}
	defer func() { stop(); wg.Wait() }()

	pid := strataPID(t)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %d: %v", pid, err)
	}
	eventually(ctx, t, settleTimeout, "a new strata-apiserver process", func(context.Context) error {
		if p := strataPID(t); p == pid || p == 0 {
			return fmt.Errorf("pid file still names %d", p)
		}
		return nil
	})
	eventually(ctx, t, settleTimeout, "/readyz of the new strata-apiserver", func(ctx context.Context) error {
		_, err := strataReadyz(ctx)
		return err
	})
	log.mu.Lock()
	log.ready = true
	log.mu.Unlock()
	eventually(ctx, t, settleTimeout, "200 answers to the agent after /readyz", func(context.Context) error {
		log.mu.Lock()
		defer log.mu.Unlock()
		if log.asAgent < 200 {
			return fmt.Errorf("%d answers to the agent so far", log.asAgent)
		}
		return nil
	})
	stop()
	wg.Wait()
	t.Logf("answers: %d to the agent after /readyz, %d 503 while authentication was not ready, %d connection errors",
		log.asAgent, log.notReady, log.unanswered)
	if len(log.anonymous) > 0 {
		t.Fatalf("%d answers to the agent's certificate as system:anonymous; first: %s", len(log.anonymous), log.anonymous[0])
	}
}

// hammer sends GETs of url every 5 ms until ctx ends.
func hammer(ctx context.Context, client *http.Client, url string, log *answerLog) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return
		}
		resp, err := client.Do(req)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.record(0, "", err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		log.record(resp.StatusCode, string(body), nil)
	}
}
