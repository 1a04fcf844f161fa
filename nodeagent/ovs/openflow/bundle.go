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

import "fmt"

// BundleCtrlType is the OFPBCT_* bundle control type.
type BundleCtrlType uint16

// Bundle control types.
const (
	BundleOpenRequest    BundleCtrlType = 0
	BundleOpenReply      BundleCtrlType = 1
	BundleCloseRequest   BundleCtrlType = 2
	BundleCloseReply     BundleCtrlType = 3
	BundleCommitRequest  BundleCtrlType = 4
	BundleCommitReply    BundleCtrlType = 5
	BundleDiscardRequest BundleCtrlType = 6
	BundleDiscardReply   BundleCtrlType = 7
)

// BundleFlags are OFPBF_* flags.
type BundleFlags uint16

// Bundle flags.
const (
	BundleAtomic  BundleFlags = 1
	BundleOrdered BundleFlags = 2
)

// BundleControl is OFPT_BUNDLE_CONTROL.
type BundleControl struct {
	BundleID uint32
	Type     BundleCtrlType
	Flags    BundleFlags
}

// MsgType implements Message.
func (BundleControl) MsgType() MsgType { return TypeBundleControl }

// AppendBody implements Message.
func (c BundleControl) AppendBody(b []byte) []byte {
	b = appendU32(b, c.BundleID)
	b = appendU16(b, uint16(c.Type))
	return appendU16(b, uint16(c.Flags))
}

func decodeBundleControl(body []byte) (BundleControl, error) {
	if len(body) < 8 {
		return BundleControl{}, fmt.Errorf("bundle_control: %w", ErrShort)
	}
	return BundleControl{BundleID: be.Uint32(body), Type: BundleCtrlType(be.Uint16(body[4:])), Flags: BundleFlags(be.Uint16(body[6:]))}, nil
}

// BundleAdd is OFPT_BUNDLE_ADD_MESSAGE carrying Message. The inner message
// gets the outer xid (OVS requires them to be equal), so BundleAdd must be
// encoded with AppendMessage, which has just written the outer header.
type BundleAdd struct {
	BundleID uint32
	Flags    BundleFlags
	Message  Message
}

// MsgType implements Message.
func (BundleAdd) MsgType() MsgType { return TypeBundleAdd }

// AppendBody implements Message.
func (a BundleAdd) AppendBody(b []byte) []byte {
	var xid uint32
	if len(b) >= HeaderLen {
		xid = be.Uint32(b[len(b)-4:])
	}
	b = appendU32(b, a.BundleID)
	b = append(b, 0, 0)
	b = appendU16(b, uint16(a.Flags))
	return AppendMessage(b, xid, a.Message)
}

func decodeBundleAdd(body []byte) (BundleAdd, error) {
	if len(body) < 8+HeaderLen {
		return BundleAdd{}, fmt.Errorf("bundle_add: %w", ErrShort)
	}
	inner := body[8:]
	h, err := ParseHeader(inner)
	if err != nil {
		return BundleAdd{}, err
	}
	if int(h.Length) > len(inner) || h.Length < HeaderLen {
		return BundleAdd{}, fmt.Errorf("bundle_add inner length %d: %w", h.Length, ErrShort)
	}
	_, m, err := DecodeMessage(inner[:h.Length])
	if err != nil {
		return BundleAdd{}, fmt.Errorf("bundle_add inner: %w", err)
	}
	return BundleAdd{BundleID: be.Uint32(body), Flags: BundleFlags(be.Uint16(body[6:])), Message: m}, nil
}
