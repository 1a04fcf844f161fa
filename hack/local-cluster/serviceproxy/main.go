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

// Command serviceproxy is the local cluster's stand-in for a Service's ClusterIP
// when strata-apiserver runs several replicas (hack/local-cluster.sh up
// --apiserver-replicas N): kube-apiserver reaches the APIServices' Service on one
// loopback port (an ExternalName Service, 127.0.0.1), and this proxy spreads the
// TCP connections over the replicas that answer their /readyz, as kube-proxy spreads
// a ClusterIP's connections over the Service's ready endpoints. TLS passes through
// untouched: kube-apiserver checks each replica's own serving certificate.
//
// Why not kube-apiserver's endpoint routing (--enable-aggregator-routing): it reads
// the Service's EndpointSlices, and EndpointSlice validation refuses loopback
// addresses, while every process of the local cluster listens on 127.0.0.1 only.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/klog/v2"
)

func main() {
	cfg := Config{}
	cfg.Defaults()
	var backends stringList
	fs := flag.NewFlagSet("serviceproxy", flag.ExitOnError)
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen, "host:port to accept connections on (loopback)")
	fs.Var(&backends, "backend", "host:port of a replica (repeat the flag for each)")
	fs.StringVar(&cfg.CAFile, "ca-file", cfg.CAFile, "CA bundle that signed the replicas' serving certificates (for /readyz)")
	fs.StringVar(&cfg.HealthPath, "health-path", cfg.HealthPath, "HTTPS path that answers 200 when a replica is ready")
	fs.DurationVar(&cfg.HealthInterval, "health-interval", cfg.HealthInterval, "how often each replica's readiness is checked")
	klog.InitFlags(nil)
	_ = fs.Parse(os.Args[1:])
	cfg.Backends = backends
	p, err := New(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "serviceproxy: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := p.Run(ctx); err != nil {
		klog.ErrorS(err, "serviceproxy stopped")
		os.Exit(1)
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return fmt.Sprint([]string(*s)) }

func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}
