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

package seed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

// The article's note on np2: external access through the guestbook's
// NodePort (its Service is of type LoadBalancer) keeps working. Strata's
// documented source for external NodePort traffic (docs/services.md,
// externalTrafficPolicy Cluster) is the receiving Node's gateway IP: an
// endpoint on that Node sees its own Node's traffic, which NetworkPolicy does
// not isolate, while an endpoint on another Node sees a foreign address, which
// np2 (ingress from app=other only) drops. So under np2 a request to a Node's
// NodePort is answered exactly when the proxy picks a guestbook Pod of that
// Node, and never by a Pod of another Node.

const (
	// outsideClientIP is the external client on the nodes' underlay.
	outsideClientIP = "172.30.0.240"
	// nodePortTries is how many requests are sent to each Node: with a third
	// or more of the guestbook Pods local, none answering by chance has a
	// probability below 0.001.
	nodePortTries = 20
	// nodePortTimeout bounds one request; a dropped one takes that long.
	nodePortTimeout = 2 * time.Second
)

// nodePortResult is what the requests to one Node's NodePort got.
type nodePortResult struct {
	answers map[string]int // by the answering Pod
	dropped int
}

// probeNodePort sends nodePortTries requests from outside to worker k's
// NodePort; a request is either answered (the guestbook responder says its
// Pod's name) or dropped (a timeout); anything else is an error.
func probeNodePort(ctx context.Context, outside string, k, port int) (nodePortResult, error) {
	res := nodePortResult{answers: map[string]int{}}
	url := fmt.Sprintf("http://%s:%d/", framework.NodeIP(k), port)
	for range nodePortTries {
		name, err := framework.HTTPGetFrom(ctx, outside, url, nodePortTimeout)
		var nerr net.Error
		switch {
		case err == nil:
			res.answers[name]++
		case errors.As(err, &nerr) && nerr.Timeout(), errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
			res.dropped++
		default:
			return res, fmt.Errorf("GET %s: %w", url, err)
		}
	}
	return res, nil
}

// guestbookNodePort is the NodePort of the guestbook Service.
func guestbookNodePort(ctx context.Context, t *testing.T) int {
	out := kubectl(ctx, t, "get", "service", "guestbook", "-n", "default", "-o", "jsonpath={.spec.ports[0].nodePort}")
	port, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil || port == 0 {
		t.Fatalf("the guestbook Service has no NodePort: %q", out)
	}
	return port
}

// expectNodePort checks every Node's NodePort from outside the cluster: with
// isolated (np2), only the receiving Node's guestbook Pods answer, and some
// do; without, every request is answered, by Pods of both Nodes overall.
func (w *walk) expectNodePort(ctx context.Context, t *testing.T, isolated bool) {
	t.Helper()
	port := guestbookNodePort(ctx, t)
	outside := framework.OutsideNetNS(t, lc.Dir, outsideClientIP)
	nodeOf := map[string]string{}
	for _, p := range w.def {
		if p.guestbook() {
			nodeOf[p.Name] = p.Node
		}
	}
	for k := 1; k <= 2; k++ {
		node := fmt.Sprintf("worker%d", k)
		err := poll(ctx, settleTimeout, func(ctx context.Context) error {
			res, err := probeNodePort(ctx, outside, k, port)
			if err != nil {
				return err
			}
			return checkNodePort(res, node, nodeOf, isolated)
		})
		if err != nil {
			t.Errorf("from outside through %s:%d (%s), np2 applied %v: %v", framework.NodeIP(k), port, node, isolated, err)
		}
	}
}

// checkNodePort compares the requests to node's NodePort with the model.
func checkNodePort(res nodePortResult, node string, nodeOf map[string]string, isolated bool) error {
	local := 0
	for name, n := range res.answers {
		switch {
		case nodeOf[name] == "":
			return fmt.Errorf("answered by %q, not a guestbook Pod of default (%v)", name, res.answers)
		case nodeOf[name] == node:
			local += n
		case isolated:
			return fmt.Errorf("answered by %s on %s under np2: its Node sees a foreign gateway IP, which np2 drops (%v)",
				name, nodeOf[name], res.answers)
		}
	}
	if !isolated && res.dropped > 0 {
		return fmt.Errorf("%d of %d requests dropped without a policy (answers %v)", res.dropped, nodePortTries, res.answers)
	}
	if local == 0 && hasPodOn(nodeOf, node) {
		return fmt.Errorf("no answer from %s's own guestbook Pods in %d requests (answers %v, dropped %d)",
			node, nodePortTries, res.answers, res.dropped)
	}
	return nil
}

func hasPodOn(nodeOf map[string]string, node string) bool {
	for _, n := range nodeOf {
		if n == node {
			return true
		}
	}
	return false
}
