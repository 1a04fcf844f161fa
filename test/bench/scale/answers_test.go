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

package scale

import (
	"net/http"
	"sync/atomic"
	"testing"
)

// answers counts the error answers the agents got from one replica: 403
// (Forbidden: a replica that does not know the agents' client CA yet answers as
// system:anonymous), 429, 503 (a replica whose authentication CAs are not
// loaded yet answers 503 with Retry-After, which client-go retries) and the other
// 5xx (500: a SubjectAccessReview timed out).
type answers struct {
	forbidden, tooMany, unavailable, serverErr atomic.Int64
}

// answerCounts are the counts of each replica, for the restart phases.
var answerCounts [2]answers

func (a *answers) snapshot() [4]int64 {
	return [4]int64{a.forbidden.Load(), a.tooMany.Load(), a.unavailable.Load(), a.serverErr.Load()}
}

// report reports the error answers counted since before.
func (a *answers) report(b *testing.B, before [4]int64) {
	now := a.snapshot()
	b.ReportMetric(float64(now[0]-before[0]), "403s")
	b.ReportMetric(float64(now[1]-before[1]), "429s")
	b.ReportMetric(float64(now[2]-before[2]), "503s")
	b.ReportMetric(float64(now[3]-before[3]), "other-5xxs")
}

// snapshotAnswers is the counts of both replicas' agents together.
func snapshotAnswers() [4]int64 {
	a, b := answerCounts[0].snapshot(), answerCounts[1].snapshot()
	return [4]int64{a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]}
}

// reportAnswers reports the error answers all agents got since before.
func reportAnswers(b *testing.B, before [4]int64) {
	now := snapshotAnswers()
	b.ReportMetric(float64(now[0]-before[0]), "403s")
	b.ReportMetric(float64(now[1]-before[1]), "429s")
	b.ReportMetric(float64(now[2]-before[2]), "503s")
	b.ReportMetric(float64(now[3]-before[3]), "other-5xxs")
}

// wrap counts the answers of rt.
func (a *answers) wrap(rt http.RoundTripper) http.RoundTripper {
	return countingTransport{inner: rt, counts: a}
}

type countingTransport struct {
	inner  http.RoundTripper
	counts *answers
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.inner.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	switch code := resp.StatusCode; {
	case code == http.StatusForbidden:
		t.counts.forbidden.Add(1)
	case code == http.StatusTooManyRequests:
		t.counts.tooMany.Add(1)
	case code == http.StatusServiceUnavailable:
		t.counts.unavailable.Add(1)
	case code >= 500:
		t.counts.serverErr.Add(1)
	}
	return resp, nil
}
