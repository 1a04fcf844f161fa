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

// Package support says which fields of the policy API this Strata version does not
// enforce. Every field of every served kind is either enforced exactly or refused:
//
//	kubectl apply ──► strategy Validate ──► support.* ──► 422 naming the field (nothing stored)
//	etcd (written by an older version) ──► computation ──► support.* ──►
//	    Realizable=False naming the field; the rule's exact part only (Drop/Reject),
//	    nothing (Allow/Pass)
//
// The functions work on the storage version (crd.antrea.io/v1beta1): the
// computation reads it, and admission converts to it.
package support
