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

// Command dnsquery resolves names to their IPv4 addresses with Go's own DNS
// client, the resolver tool the local-cluster e2e runs inside Pods (kubectl exec
// with its host path: strata-vnode runs host binaries).
//
//	dnsquery [--server IP:PORT] [--tcp] [--timeout D] NAME...
//
// With --server every query goes to that server (names as given: end them with
// a dot to skip the search list); without, the resolver follows /etc/resolv.conf
// (the Pod's: nameserver, search, ndots). It prints "NAME IP..." per name, the
// addresses sorted, and exits 1 if a name does not resolve.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"time"
)

// config is the command line.
type config struct {
	server  string
	tcp     bool
	timeout time.Duration
	names   []string
}

func main() {
	var cfg config
	flag.StringVar(&cfg.server, "server", "", "DNS server IP:PORT; default: /etc/resolv.conf's")
	flag.BoolVar(&cfg.tcp, "tcp", false, "query over TCP")
	flag.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "bound of all queries")
	flag.Parse()
	cfg.names = flag.Args()
	if len(cfg.names) == 0 {
		fmt.Fprintln(os.Stderr, "dnsquery: no name to resolve")
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "dnsquery:", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	r := resolver(cfg)
	failed := false
	for _, name := range cfg.names {
		ips, err := r.LookupIP(ctx, "ip4", name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			failed = true
			continue
		}
		addrs := make([]string, 0, len(ips))
		for _, ip := range ips {
			addrs = append(addrs, ip.String())
		}
		sort.Strings(addrs)
		fmt.Printf("%s %s\n", name, strings.Join(addrs, " "))
	}
	if failed {
		return fmt.Errorf("some names did not resolve")
	}
	return nil
}

// resolver is Go's DNS client, sent to cfg.server over UDP or TCP when set.
func resolver(cfg config) *net.Resolver {
	r := &net.Resolver{PreferGo: true}
	if cfg.server == "" && !cfg.tcp {
		return r
	}
	r.Dial = func(ctx context.Context, network, address string) (net.Conn, error) {
		if cfg.server != "" {
			address = cfg.server
		}
		if cfg.tcp {
			network = "tcp"
		}
		var d net.Dialer
		return d.DialContext(ctx, network, address)
	}
	return r
}
