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

package nodeagent

// FieldError is an invalid Config field. Field is the field's path in Config
// ("MTU", "CNI.PluginBinary"); a command that binds the fields to flags may name
// the flag instead.
type FieldError struct {
	Field string
	Err   error
}

func fieldError(field string, err error) *FieldError {
	return &FieldError{Field: field, Err: err}
}

// Error implements error: "Field: reason".
func (e *FieldError) Error() string {
	return e.Field + ": " + e.Err.Error()
}

// Unwrap returns the reason.
func (e *FieldError) Unwrap() error {
	return e.Err
}
