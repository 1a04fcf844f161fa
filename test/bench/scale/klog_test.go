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
	"flag"
	"fmt"
	"io"

	"k8s.io/klog/v2"
)

// quietKlog keeps the 1,000 agents' info logs out of the benchmark output;
// errors still go to stderr.
func quietKlog() error {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	for name, value := range map[string]string{"logtostderr": "false", "alsologtostderr": "false", "stderrthreshold": "ERROR"} {
		if err := fs.Set(name, value); err != nil {
			return fmt.Errorf("configuring klog: %w", err)
		}
	}
	klog.SetOutput(io.Discard)
	return nil
}
