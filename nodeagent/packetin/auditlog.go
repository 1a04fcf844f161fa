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
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
)

// dedupWindow folds identical Drop/Reject lines.
const dedupWindow = time.Second

// AuditActionPrefix starts the Action of the line of an audit rule, followed
// by the action the rule would take (AUDIT:Drop): logged at once, like Allow.
const AuditActionPrefix = "AUDIT:"

// Entry is one np.log line.
type Entry struct {
	Time      time.Time
	Table     string
	PolicyRef string // "AntreaClusterNetworkPolicy:name", "K8sNetworkPolicy:ns/name" or "K8sNetworkPolicy"
	RuleName  string
	Direction string // Ingress | Egress
	Action    string // Allow | Drop | Reject | Pass, or AUDIT:<one of them> for an audit rule
	Priority  string // OpenFlow priority, or "" for none
	Pod       string // namespace/name of the applied-to Pod
	SrcIP     string
	SrcPort   string
	DstIP     string
	DstPort   string
	Protocol  string
	Length    int
	LogLabel  string
}

// line renders the entry without its timestamp, "<nil>" standing for empty fields.
func (e Entry) line() string {
	f := func(s string) string {
		if s == "" {
			return "<nil>"
		}
		return s
	}
	return strings.Join([]string{f(e.Table), f(e.PolicyRef), f(e.RuleName), f(e.Direction), f(e.Action), f(e.Priority),
		f(e.Pod), f(e.SrcIP), f(e.SrcPort), f(e.DstIP), f(e.DstPort), f(e.Protocol), fmt.Sprint(e.Length), f(e.LogLabel)}, " ")
}

// AuditLog writes np.log: Allow and Pass lines at once, Drop and Reject lines
// folded per second into "<line> [<n> packets in <duration>]".
type AuditLog struct {
	mu      sync.Mutex
	w       io.Writer
	pending map[string]*folded
	after   func(time.Duration, func()) // time.AfterFunc; replaced in tests
	closed  bool
}

type folded struct {
	first time.Time
	last  time.Time
	count int
}

// AuditLogConfig configures the np.log file and its rotation.
type AuditLogConfig struct {
	Path       string
	MaxSizeMB  int // default 100
	MaxBackups int // default 3
}

// NewAuditLog opens (creating it) the np.log file with rotation.
func NewAuditLog(cfg AuditLogConfig) *AuditLog {
	if cfg.MaxSizeMB == 0 {
		cfg.MaxSizeMB = 100
	}
	if cfg.MaxBackups == 0 {
		cfg.MaxBackups = 3
	}
	return newAuditLog(&lumberjack.Logger{Filename: cfg.Path, MaxSize: cfg.MaxSizeMB, MaxBackups: cfg.MaxBackups, Compress: true})
}

func newAuditLog(w io.Writer) *AuditLog {
	registerMetrics()
	return &AuditLog{w: w, pending: map[string]*folded{},
		after: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
}

// Log writes or folds one entry.
func (l *AuditLog) Log(e Entry) {
	line := e.line()
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.Action != "Drop" && e.Action != "Reject" {
		l.write(e.Time, line)
		return
	}
	if f, ok := l.pending[line]; ok {
		f.count++
		f.last = e.Time
		return
	}
	l.pending[line] = &folded{first: e.Time, last: e.Time, count: 1}
	l.after(dedupWindow, func() { l.flush(line) })
}

func (l *AuditLog) flush(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.pending[line]
	delete(l.pending, line)
	if f == nil {
		return
	}
	l.writeFolded(line, f)
}

func (l *AuditLog) writeFolded(line string, f *folded) {
	if f.count > 1 {
		line = fmt.Sprintf("%s [%d packets in %s]", line, f.count, f.last.Sub(f.first))
	}
	l.write(f.first, line)
}

// Close writes the folded lines still pending and closes the file; later
// entries and pending timers write nothing.
func (l *AuditLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := make([]string, 0, len(l.pending))
	for line := range l.pending {
		lines = append(lines, line)
	}
	slices.SortFunc(lines, func(a, b string) int { return l.pending[a].first.Compare(l.pending[b].first) })
	for _, line := range lines {
		l.writeFolded(line, l.pending[line])
	}
	clear(l.pending)
	l.closed = true
	if c, ok := l.w.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (l *AuditLog) write(t time.Time, line string) {
	if l.closed {
		return
	}
	if _, err := fmt.Fprintf(l.w, "%s %s\n", t.Format("2006/01/02 15:04:05.000000"), line); err != nil {
		auditLogWriteErrors.Inc()
	}
}
