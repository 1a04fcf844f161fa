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

package packetin

import (
	"errors"
	"testing"
	"time"

	"k8s.io/component-base/metrics/testutil"
)

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestAuditLogWriteErrors: a line np.log cannot take is counted.
func TestAuditLogWriteErrors(t *testing.T) {
	log := newAuditLog(failingWriter{})
	before, err := testutil.GetCounterMetricValue(auditLogWriteErrors)
	if err != nil {
		t.Fatal(err)
	}
	log.Log(Entry{Time: time.Now(), Action: "Allow"})
	log.Log(Entry{Time: time.Now(), Action: "Pass"})
	after, err := testutil.GetCounterMetricValue(auditLogWriteErrors)
	if err != nil {
		t.Fatal(err)
	}
	if after-before != 2 {
		t.Fatalf("strata_agent_audit_log_write_errors_total rose by %v, want 2", after-before)
	}
}
