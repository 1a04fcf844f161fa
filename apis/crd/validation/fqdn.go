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

package validation

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// fqdnChars are the characters Antrea accepts in an FQDN peer.
var fqdnChars = regexp.MustCompile(`^[-0-9a-zA-Z.*]+$`)

const (
	maxFQDNLength = 253 // RFC 1035 §2.3.4, without the trailing dot
	maxLabel      = 63
)

// validateFQDN checks an FQDN peer: an exact name or a pattern where "*"
// matches any run of characters ("*.example.com" selects the sub-domains
// of example.com, not example.com itself). Beyond Antrea's character set, a
// name with an empty label ("a..b", a leading or trailing dot) or a label
// or name too long for DNS could never match a response, so it is refused.
func validateFQDN(name string, path *field.Path) field.ErrorList {
	if name == "" {
		return nil
	}
	bad := func(detail string) field.ErrorList { return field.ErrorList{field.Invalid(path, name, detail)} }
	switch {
	case !fqdnChars.MatchString(name):
		return bad("may contain only letters, digits, '-', '.' and '*'")
	case len(name) > maxFQDNLength:
		return bad(fmt.Sprintf("must be at most %d characters", maxFQDNLength))
	case strings.HasSuffix(name, "."):
		return bad("must not end with a dot: write example.com, not example.com.")
	}
	for _, label := range strings.Split(name, ".") {
		switch {
		case label == "":
			return bad("must not have an empty label (a leading dot or two dots in a row)")
		case len(label) > maxLabel:
			return bad(fmt.Sprintf("label %q is longer than %d characters", label, maxLabel))
		}
	}
	return nil
}
