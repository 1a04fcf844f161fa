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

package app

import (
	"context"
	"fmt"

	"github.com/strata-net/strata/apiserver/options"
)

// Runner is a server ready to run.
type Runner interface {
	RunWithContext(ctx context.Context) error
}

// Prepare builds a server ready to run from completed, validated options. The
// cleanup stops the embedded etcd, after the server has stopped.
func Prepare(ctx context.Context, o *options.Options) (Runner, func(), error) {
	cfg, cleanup, err := o.Config(ctx)
	if err != nil {
		return nil, nil, err
	}
	server, err := cfg.Complete().New()
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("building the server: %w", err)
	}
	return server.GenericAPIServer.PrepareRun(), cleanup, nil
}
