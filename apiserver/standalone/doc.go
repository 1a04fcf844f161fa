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

// Package standalone provides what strata-apiserver needs to run without a
// kube-apiserver (--standalone): a private certificate authority, a serving
// certificate signed by it, an admin client certificate (group system:masters, the
// only identity the standalone server authorizes) and a kubeconfig for real kubectl.
// Everything is kept under the data directory and reused across restarts.
package standalone
