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

package storageutil

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestAge(t *testing.T) {
	tests := []struct {
		name string
		t    metav1.Time
		want string
	}{
		{name: "zero", want: "<unknown>"},
		{name: "thirty days", t: metav1.NewTime(time.Now().Add(-30 * 24 * time.Hour)), want: "30d"},
		{name: "five minutes", t: metav1.NewTime(time.Now().Add(-5*time.Minute - time.Second)), want: "5m1s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Age(tc.t))
		})
	}
}
