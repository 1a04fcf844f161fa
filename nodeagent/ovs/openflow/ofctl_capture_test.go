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

package openflow

import (
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// ofctlProxy is a transparent proxy: a unix
// socket that relays every connection to the bridge's management socket and
// records the messages the client (ovs-ofctl) sends. A fake switch does not
// work, since ovs-ofctl needs real replies (features, table features).
type ofctlProxy struct {
	path string
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	sent [][]byte
}

func startOfctlProxy(t *testing.T, mgmt string) *ofctlProxy {
	t.Helper()
	p := &ofctlProxy{path: filepath.Join(t.TempDir(), "proxy.sock")}
	ln, err := net.Listen("unix", p.path)
	require.NoError(t, err)
	p.ln = ln
	go p.accept(mgmt)
	t.Cleanup(func() { _ = ln.Close() })
	return p
}

func (p *ofctlProxy) accept(mgmt string) {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("unix", mgmt)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer s.Close()
			defer c.Close()
			go func() { _, _ = io.Copy(c, s) }()
			p.relay(c, s)
		}()
	}
}

// relay forwards whole messages from the client to the switch, recording them.
func (p *ofctlProxy) relay(from io.Reader, to io.Writer) {
	for {
		hdr := make([]byte, HeaderLen)
		if _, err := io.ReadFull(from, hdr); err != nil {
			return
		}
		msg := make([]byte, be.Uint16(hdr[2:]))
		copy(msg, hdr)
		if len(msg) < HeaderLen {
			return
		}
		if _, err := io.ReadFull(from, msg[HeaderLen:]); err != nil {
			return
		}
		p.mu.Lock()
		p.sent = append(p.sent, msg)
		p.mu.Unlock()
		if _, err := to.Write(msg); err != nil {
			return
		}
	}
}

// run runs ovs-ofctl -O OpenFlow15 with "BR" in args replaced by the proxy
// address and returns the messages of type typ that ovs-ofctl sent, with
// their xids zeroed. ovs-ofctl has closed its connections when it exits, so
// waiting for the relays to finish sees every message.
func (p *ofctlProxy) run(b *ovsBridge, typ MsgType, args ...string) ([][]byte, error) {
	argv := []string{"-O", "OpenFlow15"}
	for _, a := range args {
		argv = append(argv, strings.ReplaceAll(a, "BR", "unix:"+p.path))
	}
	p.mu.Lock()
	p.sent = nil
	p.mu.Unlock()
	out, err := b.ovs.OFCtl(argv...)
	if err != nil {
		return nil, fmt.Errorf("ovs-ofctl %v: %s: %w", argv, out, err)
	}
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	var got [][]byte
	for _, m := range p.sent {
		if MsgType(m[1]) == typ {
			m = append([]byte(nil), m...)
			be.PutUint32(m[4:], 0)
			got = append(got, m)
		}
	}
	if len(got) == 0 {
		return nil, errors.New("ovs-ofctl sent no " + typ.String())
	}
	return got, nil
}
