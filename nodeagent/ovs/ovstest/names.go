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

package ovstest

import (
	"crypto/rand"
	"encoding/hex"
)

// maxIfNameLen is the Linux interface name limit (IFNAMSIZ-1).
const maxIfNameLen = 15

// UniqueName returns prefix followed by random hex, at most 15 characters, so
// it is usable as an interface, port or bridge name and does not collide with
// names of concurrently running tests.
func UniqueName(prefix string) string {
	if len(prefix) > maxIfNameLen-6 {
		prefix = prefix[:maxIfNameLen-6]
	}
	return prefix + randomHex(maxIfNameLen-len(prefix))
}

// randomHex returns n random lowercase hex characters.
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)[:n]
}
