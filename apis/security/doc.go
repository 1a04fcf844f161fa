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

// Package security is the internal version of the legacy
// security.antrea.tanzu.vmware.com API group. It defines no types of its own: it
// registers the internal types of apis/crd under its group name, so that objects of
// the legacy group are the same objects as those of crd.antrea.io.
package security
