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

package openflow

// PortMask is a port value/mask pair (tp_dst=Value/Mask).
type PortMask struct {
	Value uint16
	Mask  uint16
}

// PortRangeMasks splits the inclusive range [lo, hi] into the minimal list of
// aligned value/mask pairs that cover exactly that range, lowest first.
// Mask 0xffff is a single port. An empty range (lo > hi) yields nil.
func PortRangeMasks(lo, hi uint16) []PortMask {
	var out []PortMask
	for cur, end := uint32(lo), uint32(hi); cur <= end; {
		size := uint32(1)
		// Grow the block while it stays aligned at cur and inside the range.
		for size < 1<<16 && cur&(2*size-1) == 0 && cur+2*size-1 <= end {
			size *= 2
		}
		out = append(out, PortMask{Value: uint16(cur), Mask: uint16(^(size - 1))})
		cur += size
	}
	return out
}
