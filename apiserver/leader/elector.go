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

package leader

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"
)

// Defaults of the Lease, as kube-controller-manager's.
const (
	DefaultNamespace     = "kube-system"
	DefaultName          = "strata-apiserver-status"
	DefaultLeaseDuration = 15 * time.Second
	DefaultRenewDeadline = 10 * time.Second
	DefaultRetryPeriod   = 2 * time.Second
)

// Config configures an Elector.
type Config struct {
	// Client is kube-apiserver's client, through which the Lease is read and written.
	Client kubernetes.Interface
	// Namespace and Name are the Lease's.
	Namespace, Name string
	// Identity tells this replica apart in the Lease's holderIdentity.
	Identity string
	// LeaseDuration is how long the others wait after the last renewal before
	// taking the Lease over; RenewDeadline how long the holder keeps trying to renew
	// before it stops writing; RetryPeriod the interval between attempts.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// OnElected is called at the start of every term (e.g. to write every status
	// again): it must not block.
	OnElected func()
}

// Defaults fills the unset durations, Namespace and Name.
func (c *Config) Defaults() {
	if c.Namespace == "" {
		c.Namespace = DefaultNamespace
	}
	if c.Name == "" {
		c.Name = DefaultName
	}
	if c.LeaseDuration == 0 {
		c.LeaseDuration = DefaultLeaseDuration
	}
	if c.RenewDeadline == 0 {
		c.RenewDeadline = DefaultRenewDeadline
	}
	if c.RetryPeriod == 0 {
		c.RetryPeriod = DefaultRetryPeriod
	}
}

// Validate reports every invalid field.
func (c *Config) Validate() error {
	var errs []error
	if c.Client == nil {
		errs = append(errs, errors.New("Client: required"))
	}
	if c.Identity == "" {
		errs = append(errs, errors.New("Identity: required"))
	}
	if err := c.ValidateLease(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ValidateLease reports every invalid field of the Lease (namespace, name,
// durations): what the flags set.
func (c *Config) ValidateLease() error {
	var errs []error
	if c.Namespace == "" || c.Name == "" {
		errs = append(errs, errors.New("Namespace, Name: required"))
	}
	if c.LeaseDuration%time.Second != 0 {
		errs = append(errs, fmt.Errorf("LeaseDuration %v: whole seconds required (the Lease stores leaseDurationSeconds)", c.LeaseDuration))
	}
	if c.RetryPeriod <= 0 || c.RenewDeadline <= c.RetryPeriod || c.LeaseDuration <= c.RenewDeadline {
		errs = append(errs, fmt.Errorf("LeaseDuration %v > RenewDeadline %v > RetryPeriod %v > 0: required",
			c.LeaseDuration, c.RenewDeadline, c.RetryPeriod))
	}
	return errors.Join(errs...)
}

// Elector campaigns for the Lease and tells the status writers whether, and in
// which term, this replica leads.
type Elector struct {
	cfg     Config
	elector *leaderelection.LeaderElector

	mu   sync.Mutex
	term context.Context // nil when not leading
}

// New returns an Elector; Run campaigns.
func New(cfg Config) (*Elector, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("leader election: %w", err)
	}
	e := &Elector{cfg: cfg}
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: cfg.Namespace, Name: cfg.Name},
		Client:     cfg.Client.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: cfg.Identity},
	}
	le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   cfg.LeaseDuration,
		RenewDeadline:   cfg.RenewDeadline,
		RetryPeriod:     cfg.RetryPeriod,
		ReleaseOnCancel: true,
		Name:            cfg.Name,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: e.started,
			OnStoppedLeading: e.stopped,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("leader election: %w", err)
	}
	e.elector = le
	return e, nil
}

// Run campaigns until ctx ends, again after every lost term; on return the Lease
// is released if held.
func (e *Elector) Run(ctx context.Context) {
	for ctx.Err() == nil {
		e.elector.Run(ctx)
	}
}

// Term returns the context of the current term and true while this replica
// leads; the context is cancelled the moment the term ends.
func (e *Elector) Term() (context.Context, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.term == nil || e.term.Err() != nil {
		return nil, false
	}
	return e.term, true
}

// Identity is this replica's identity in the Lease.
func (e *Elector) Identity() string { return e.cfg.Identity }

func (e *Elector) started(ctx context.Context) {
	e.mu.Lock()
	e.term = ctx
	e.mu.Unlock()
	klog.InfoS("Leading: this replica writes policy status", "lease", e.cfg.Namespace+"/"+e.cfg.Name, "identity", e.cfg.Identity)
	if e.cfg.OnElected != nil {
		e.cfg.OnElected()
	}
}

func (e *Elector) stopped() {
	e.mu.Lock()
	e.term = nil
	e.mu.Unlock()
	klog.InfoS("Not leading: this replica stopped writing policy status", "lease", e.cfg.Namespace+"/"+e.cfg.Name, "identity", e.cfg.Identity)
}
