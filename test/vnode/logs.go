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
	"io"
	"os"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/node/api"
)

// logPollInterval is how often a followed log is checked for more output.
const logPollInterval = 200 * time.Millisecond

// GetContainerLogs returns a container's output (kubectl logs): of its current
// (or last) start, or of the one before with Previous. Tail and LimitBytes are
// honoured; Follow streams until the start ends or the client goes away.
// Timestamps and since* are not (the log files have no timestamps).
func (p *Provider) GetContainerLogs(ctx context.Context, namespace, podName, containerName string, opts api.ContainerLogOpts) (io.ReadCloser, error) {
	r, c, err := p.container(namespace, podName, containerName)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	logs, runDone := append([]string(nil), c.logs...), c.runDone
	r.mu.Unlock()
	idx := len(logs) - 1
	if opts.Previous {
		idx--
	}
	if idx < 0 {
		if opts.Previous {
			return nil, errdefs.InvalidInputf("previous terminated container %q in pod %q not found", c.spec.Name, podName)
		}
		return nil, errdefs.InvalidInputf("container %q in pod %q is waiting to start", c.spec.Name, podName)
	}
	f, err := os.Open(logs[idx])
	if err != nil {
		return nil, fmt.Errorf("container log: %w", err)
	}
	if opts.Tail > 0 {
		off, err := tailOffset(f, opts.Tail)
		if err == nil {
			_, err = f.Seek(off, io.SeekStart)
		}
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("container log: %w", err)
		}
	}
	var rc io.ReadCloser = f
	if opts.Follow && idx == len(logs)-1 && runDone != nil {
		rc = &followReader{ctx: ctx, f: f, done: runDone}
	}
	if opts.LimitBytes > 0 {
		rc = limitReadCloser{Reader: io.LimitReader(rc, int64(opts.LimitBytes)), Closer: rc}
	}
	return rc, nil
}

type limitReadCloser struct {
	io.Reader
	io.Closer
}

// followReader reads a log file that is still being written until the writer's
// start ends (done) and everything is read, or ctx is done.
type followReader struct {
	ctx  context.Context
	f    *os.File
	done <-chan struct{}
}

func (r *followReader) Read(p []byte) (int, error) {
	for {
		n, err := r.f.Read(p)
		if n > 0 || !errors.Is(err, io.EOF) {
			return n, err
		}
		select {
		case <-r.done:
			return r.f.Read(p) // the last output, then EOF
		case <-r.ctx.Done():
			return 0, io.EOF
		case <-time.After(logPollInterval):
		}
	}
}

func (r *followReader) Close() error { return r.f.Close() }

// tailOffset is the offset of the last n lines of f (a final newline does not
// start another line).
func tailOffset(f *os.File, n int) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := st.Size()
	buf := make([]byte, 32<<10)
	lines := 0
	for pos := size; pos > 0; {
		chunk := min(int64(len(buf)), pos)
		pos -= chunk
		if _, err := f.ReadAt(buf[:chunk], pos); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		for i := chunk - 1; i >= 0; i-- {
			if buf[i] != '\n' || pos+i == size-1 {
				continue
			}
			if lines++; lines == n {
				return pos + i + 1, nil
			}
		}
	}
	return 0, nil
}
