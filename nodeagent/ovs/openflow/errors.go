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

// ErrorMsg is an OFPT_ERROR. For experimenter errors (Type 0xffff) Code is
// the exp_code and Experimenter the vendor (0x2320 for Nicira).
type ErrorMsg struct {
	Type         uint16
	Code         uint16
	Experimenter uint32
	Data         []byte // the start of the offending message
}

// ErrorTypeExperimenter is OFPET_EXPERIMENTER.
const ErrorTypeExperimenter uint16 = 0xffff

// MsgType implements Message.
func (ErrorMsg) MsgType() MsgType { return TypeError }

// AppendBody implements Message.
func (e ErrorMsg) AppendBody(b []byte) []byte {
	b = appendU16(b, e.Type)
	b = appendU16(b, e.Code)
	if e.Type == ErrorTypeExperimenter {
		b = appendU32(b, e.Experimenter)
	}
	return append(b, e.Data...)
}

func decodeError(body []byte) (ErrorMsg, error) {
	if len(body) < 4 {
		return ErrorMsg{}, fmt.Errorf("error: %w", ErrShort)
	}
	e := ErrorMsg{Type: be.Uint16(body), Code: be.Uint16(body[2:])}
	body = body[4:]
	if e.Type == ErrorTypeExperimenter {
		if len(body) < 4 {
			return ErrorMsg{}, fmt.Errorf("experimenter error: %w", ErrShort)
		}
		e.Experimenter = be.Uint32(body)
		body = body[4:]
	}
	e.Data = append([]byte(nil), body...)
	return e, nil
}

// Name is the symbolic OVS name, e.g. "OFPBMC_BAD_PREREQ".
func (e ErrorMsg) Name() string {
	if d, ok := e.lookup(); ok {
		return d.name
	}
	if e.Type == ErrorTypeExperimenter {
		return fmt.Sprintf("EXPERIMENTER(0x%x,%d)", e.Experimenter, e.Code)
	}
	return fmt.Sprintf("OFPET(%d,%d)", e.Type, e.Code)
}

// Description is the human-readable meaning of the error.
func (e ErrorMsg) Description() string {
	if d, ok := e.lookup(); ok {
		return d.desc
	}
	return "unknown error"
}

// Error implements error: "OFPBMC_BAD_PREREQ (a prerequisite was not met)".
func (e ErrorMsg) Error() string { return e.Name() + " (" + e.Description() + ")" }

// Is lets errors.Is(err, ErrorMsg{Type: t, Code: c}) match by type and code.
func (e ErrorMsg) Is(target error) bool {
	t, ok := target.(ErrorMsg)
	return ok && t.Type == e.Type && t.Code == e.Code && t.Experimenter == e.Experimenter
}

// OffendingHeader decodes the header of the message that caused the error.
func (e ErrorMsg) OffendingHeader() (Header, bool) {
	h, err := ParseHeader(e.Data)
	return h, err == nil
}

func (e ErrorMsg) lookup() (errDesc, bool) {
	if e.Type == ErrorTypeExperimenter {
		if e.Experimenter != NiciraID {
			return errDesc{}, false
		}
		d, ok := nxErrors[e.Code]
		return d, ok
	}
	d, ok := ofErrors[uint32(e.Type)<<16|uint32(e.Code)]
	return d, ok
}

type errDesc struct{ name, desc string }

func ec(t, c uint16) uint32 { return uint32(t)<<16 | uint32(c) }

var ofErrors = map[uint32]errDesc{
	ec(0, 0):   {"OFPHFC_INCOMPATIBLE", "no compatible version"},
	ec(0, 1):   {"OFPHFC_EPERM", "permissions error"},
	ec(1, 0):   {"OFPBRC_BAD_VERSION", "ofp_header.version not supported"},
	ec(1, 1):   {"OFPBRC_BAD_TYPE", "ofp_header.type not supported"},
	ec(1, 2):   {"OFPBRC_BAD_STAT", "multipart type not supported"},
	ec(1, 3):   {"OFPBRC_BAD_VENDOR", "experimenter not supported"},
	ec(1, 4):   {"OFPBRC_BAD_SUBTYPE", "experimenter subtype not supported"},
	ec(1, 5):   {"OFPBRC_EPERM", "permissions error"},
	ec(1, 6):   {"OFPBRC_BAD_LEN", "wrong request length for type"},
	ec(1, 7):   {"OFPBRC_BUFFER_EMPTY", "specified buffer has already been used"},
	ec(1, 8):   {"OFPBRC_BUFFER_UNKNOWN", "specified buffer does not exist"},
	ec(1, 9):   {"OFPBRC_BAD_TABLE_ID", "specified table-id invalid or does not exist"},
	ec(1, 10):  {"OFPBRC_IS_SLAVE", "denied because controller is slave"},
	ec(1, 11):  {"OFPBRC_BAD_PORT", "invalid port"},
	ec(1, 12):  {"OFPBRC_BAD_PACKET", "invalid packet in packet-out"},
	ec(1, 13):  {"OFPBRC_MULTIPART_BUFFER_OVERFLOW", "multipart request overflowed the assigned buffer"},
	ec(2, 0):   {"OFPBAC_BAD_TYPE", "unknown action type"},
	ec(2, 1):   {"OFPBAC_BAD_LEN", "length problem in actions"},
	ec(2, 2):   {"OFPBAC_BAD_VENDOR", "unknown experimenter id specified"},
	ec(2, 3):   {"OFPBAC_BAD_VENDOR_TYPE", "unknown action type for experimenter id"},
	ec(2, 4):   {"OFPBAC_BAD_OUT_PORT", "problem validating output port"},
	ec(2, 5):   {"OFPBAC_BAD_ARGUMENT", "bad action argument"},
	ec(2, 6):   {"OFPBAC_EPERM", "permissions error"},
	ec(2, 7):   {"OFPBAC_TOO_MANY", "can't handle this many actions"},
	ec(2, 8):   {"OFPBAC_BAD_QUEUE", "problem validating output queue"},
	ec(2, 9):   {"OFPBAC_BAD_OUT_GROUP", "invalid group id in forward action"},
	ec(2, 10):  {"OFPBAC_MATCH_INCONSISTENT", "action can't apply for this match or a prerequisite for use of this field is unmet"},
	ec(2, 11):  {"OFPBAC_UNSUPPORTED_ORDER", "action order is unsupported"},
	ec(2, 12):  {"OFPBAC_BAD_TAG", "actions uses an unsupported tag/encap"},
	ec(2, 13):  {"OFPBAC_BAD_SET_TYPE", "action uses unknown or unsupported OXM or NXM field"},
	ec(2, 14):  {"OFPBAC_BAD_SET_LEN", "action references past the end of a field, or uses a length of zero"},
	ec(2, 15):  {"OFPBAC_BAD_SET_ARGUMENT", "action sets a field to an invalid or unsupported value, or modifies a read-only field"},
	ec(2, 16):  {"OFPBAC_BAD_SET_MASK", "field in set-field action has has-mask bit set"},
	ec(2, 17):  {"OFPBAC_BAD_METER", "invalid meter id in meter action"},
	ec(3, 0):   {"OFPBIC_UNKNOWN_INST", "unknown instruction"},
	ec(3, 1):   {"OFPBIC_UNSUP_INST", "switch or table does not support the instruction"},
	ec(3, 2):   {"OFPBIC_BAD_TABLE_ID", "invalid table-id specified"},
	ec(3, 3):   {"OFPBIC_UNSUP_METADATA", "metadata value unsupported by datapath"},
	ec(3, 4):   {"OFPBIC_UNSUP_METADATA_MASK", "metadata mask value unsupported by datapath"},
	ec(3, 5):   {"OFPBIC_BAD_EXPERIMENTER", "unknown experimenter id specified"},
	ec(3, 6):   {"OFPBIC_BAD_EXP_TYPE", "unknown instruction for experimenter id"},
	ec(3, 7):   {"OFPBIC_BAD_LEN", "length problem in instructions"},
	ec(3, 8):   {"OFPBIC_EPERM", "permissions error"},
	ec(3, 9):   {"OFPBIC_DUP_INST", "duplicate instruction"},
	ec(4, 0):   {"OFPBMC_BAD_TYPE", "unsupported match type"},
	ec(4, 1):   {"OFPBMC_BAD_LEN", "length problem in match"},
	ec(4, 2):   {"OFPBMC_BAD_TAG", "match uses an unsupported tag/encap"},
	ec(4, 3):   {"OFPBMC_BAD_DL_ADDR_MASK", "unsupported datalink addr mask"},
	ec(4, 4):   {"OFPBMC_BAD_NW_ADDR_MASK", "unsupported network addr mask"},
	ec(4, 5):   {"OFPBMC_BAD_WILDCARDS", "unsupported wildcard specified in the match"},
	ec(4, 6):   {"OFPBMC_BAD_FIELD", "unsupported field in the match"},
	ec(4, 7):   {"OFPBMC_BAD_VALUE", "unsupported value in a match field"},
	ec(4, 8):   {"OFPBMC_BAD_MASK", "unsupported mask specified in the match"},
	ec(4, 9):   {"OFPBMC_BAD_PREREQ", "a prerequisite was not met"},
	ec(4, 10):  {"OFPBMC_DUP_FIELD", "a field type was duplicated"},
	ec(4, 11):  {"OFPBMC_EPERM", "permissions error"},
	ec(5, 0):   {"OFPFMFC_UNKNOWN", "unspecified error"},
	ec(5, 1):   {"OFPFMFC_TABLE_FULL", "flow not added because of full table(s)"},
	ec(5, 2):   {"OFPFMFC_BAD_TABLE_ID", "table does not exist"},
	ec(5, 3):   {"OFPFMFC_OVERLAP", "attempted to add overlapping flow with CHECK_OVERLAP flag set"},
	ec(5, 4):   {"OFPFMFC_EPERM", "permissions error"},
	ec(5, 5):   {"OFPFMFC_BAD_TIMEOUT", "flow not added because of unsupported idle/hard timeout"},
	ec(5, 6):   {"OFPFMFC_BAD_COMMAND", "unsupported or unknown command"},
	ec(5, 7):   {"OFPFMFC_BAD_FLAGS", "unsupported or unknown flags"},
	ec(6, 0):   {"OFPGMFC_GROUP_EXISTS", "group ADD attempted to replace an already-present group"},
	ec(6, 1):   {"OFPGMFC_INVALID_GROUP", "group specified is invalid"},
	ec(6, 2):   {"OFPGMFC_WEIGHT_UNSUPPORTED", "switch does not support unequal load sharing with select groups"},
	ec(6, 3):   {"OFPGMFC_OUT_OF_GROUPS", "the group table is full"},
	ec(6, 4):   {"OFPGMFC_OUT_OF_BUCKETS", "the maximum number of action buckets for a group has been exceeded"},
	ec(6, 5):   {"OFPGMFC_CHAINING_UNSUPPORTED", "switch does not support groups that forward to groups"},
	ec(6, 6):   {"OFPGMFC_WATCH_UNSUPPORTED", "this group cannot watch the watch_port or watch_group specified"},
	ec(6, 7):   {"OFPGMFC_LOOP", "group entry would cause a loop"},
	ec(6, 8):   {"OFPGMFC_UNKNOWN_GROUP", "group MODIFY attempted to modify a non-existent group"},
	ec(6, 9):   {"OFPGMFC_CHAINED_GROUP", "group not deleted because another group is forwarding to it"},
	ec(6, 10):  {"OFPGMFC_BAD_TYPE", "unsupported or unknown group type"},
	ec(6, 11):  {"OFPGMFC_BAD_COMMAND", "unsupported or unknown command"},
	ec(6, 12):  {"OFPGMFC_BAD_BUCKET", "error in bucket"},
	ec(6, 13):  {"OFPGMFC_BAD_WATCH", "error in watch port/group"},
	ec(6, 14):  {"OFPGMFC_EPERM", "permissions error"},
	ec(6, 15):  {"OFPGMFC_UNKNOWN_BUCKET", "invalid bucket identifier"},
	ec(6, 16):  {"OFPGMFC_BUCKET_EXISTS", "a bucket already exists with that bucket-id"},
	ec(7, 0):   {"OFPPMFC_BAD_PORT", "specified port does not exist"},
	ec(7, 1):   {"OFPPMFC_BAD_HW_ADDR", "specified hardware address does not match the port number"},
	ec(7, 2):   {"OFPPMFC_BAD_CONFIG", "specified config is invalid"},
	ec(7, 3):   {"OFPPMFC_BAD_ADVERTISE", "specified advertise is invalid"},
	ec(7, 4):   {"OFPPMFC_EPERM", "permissions error"},
	ec(8, 0):   {"OFPTMFC_BAD_TABLE", "specified table does not exist"},
	ec(8, 1):   {"OFPTMFC_BAD_CONFIG", "specified config is invalid"},
	ec(8, 2):   {"OFPTMFC_EPERM", "permissions error"},
	ec(9, 0):   {"OFPQOFC_BAD_PORT", "invalid port"},
	ec(9, 1):   {"OFPQOFC_BAD_QUEUE", "queue does not exist"},
	ec(9, 2):   {"OFPQOFC_EPERM", "permissions error"},
	ec(10, 0):  {"OFPSCFC_BAD_FLAGS", "specified flags is invalid"},
	ec(10, 1):  {"OFPSCFC_BAD_LEN", "specified len is invalid"},
	ec(10, 2):  {"OFPSCFC_EPERM", "permissions error"},
	ec(11, 0):  {"OFPRRFC_STALE", "stale message: old generation_id"},
	ec(11, 1):  {"OFPRRFC_UNSUP", "controller role change unsupported"},
	ec(11, 2):  {"OFPRRFC_BAD_ROLE", "invalid role"},
	ec(12, 0):  {"OFPMMFC_UNKNOWN", "unspecified error"},
	ec(12, 1):  {"OFPMMFC_METER_EXISTS", "meter ADD attempted to replace an existing meter"},
	ec(12, 2):  {"OFPMMFC_INVALID_METER", "meter specified is invalid"},
	ec(12, 3):  {"OFPMMFC_UNKNOWN_METER", "meter MODIFY attempted to modify a non-existent meter"},
	ec(12, 4):  {"OFPMMFC_BAD_COMMAND", "unsupported or unknown command"},
	ec(12, 5):  {"OFPMMFC_BAD_FLAGS", "flag configuration unsupported"},
	ec(12, 6):  {"OFPMMFC_BAD_RATE", "rate unsupported"},
	ec(12, 7):  {"OFPMMFC_BAD_BURST", "burst size unsupported"},
	ec(12, 8):  {"OFPMMFC_BAD_BAND", "band unsupported"},
	ec(12, 9):  {"OFPMMFC_BAD_BAND_VALUE", "band value unsupported"},
	ec(12, 10): {"OFPMMFC_OUT_OF_METERS", "no more meters available"},
	ec(12, 11): {"OFPMMFC_OUT_OF_BANDS", "the maximum number of properties for a meter has been exceeded"},
	ec(13, 0):  {"OFPTFFC_BAD_TABLE", "specified table does not exist"},
	ec(13, 1):  {"OFPTFFC_BAD_METADATA", "invalid metadata mask"},
	ec(13, 5):  {"OFPTFFC_EPERM", "permissions error"},
	ec(14, 0):  {"OFPBPC_BAD_TYPE", "unknown property type"},
	ec(14, 1):  {"OFPBPC_BAD_LEN", "length problem in property"},
	ec(14, 2):  {"OFPBPC_BAD_VALUE", "unsupported property value"},
	ec(14, 3):  {"OFPBPC_TOO_MANY", "can't handle this many properties"},
	ec(14, 4):  {"OFPBPC_DUP_TYPE", "a property type was duplicated"},
	ec(14, 5):  {"OFPBPC_BAD_EXPERIMENTER", "unknown experimenter id specified"},
	ec(14, 6):  {"OFPBPC_BAD_EXP_TYPE", "unknown exp_type for experimenter id"},
	ec(14, 7):  {"OFPBPC_BAD_EXP_VALUE", "unknown value for experimenter id"},
	ec(14, 8):  {"OFPBPC_EPERM", "permissions error"},
	ec(15, 0):  {"OFPACFC_INVALID", "one mask is invalid"},
	ec(15, 1):  {"OFPACFC_UNSUPPORTED", "requested configuration not supported"},
	ec(15, 2):  {"OFPACFC_EPERM", "permissions error"},
	ec(16, 0):  {"OFPMOFC_UNKNOWN", "unspecified error"},
	ec(16, 1):  {"OFPMOFC_MONITOR_EXISTS", "monitor already exists"},
	ec(16, 2):  {"OFPMOFC_INVALID_MONITOR", "monitor specified is invalid"},
	ec(16, 3):  {"OFPMOFC_UNKNOWN_MONITOR", "monitor does not exist"},
	ec(16, 4):  {"OFPMOFC_BAD_COMMAND", "unsupported or unknown command"},
	ec(16, 5):  {"OFPMOFC_BAD_FLAGS", "flag configuration unsupported"},
	ec(16, 6):  {"OFPMOFC_BAD_TABLE_ID", "specified table does not exist"},
	ec(16, 7):  {"OFPMOFC_BAD_OUT", "error in output port/group"},
	ec(17, 0):  {"OFPBFC_UNKNOWN", "unspecified error"},
	ec(17, 1):  {"OFPBFC_EPERM", "permissions error"},
	ec(17, 2):  {"OFPBFC_BAD_ID", "bundle ID doesn't exist"},
	ec(17, 3):  {"OFPBFC_BUNDLE_EXIST", "bundle ID already exists"},
	ec(17, 4):  {"OFPBFC_BUNDLE_CLOSED", "bundle ID is closed"},
	ec(17, 5):  {"OFPBFC_OUT_OF_BUNDLES", "too many bundle IDs"},
	ec(17, 6):  {"OFPBFC_BAD_TYPE", "unsupported or unknown message control type"},
	ec(17, 7):  {"OFPBFC_BAD_FLAGS", "unsupported, unknown, or inconsistent flags"},
	ec(17, 8):  {"OFPBFC_MSG_BAD_LEN", "length problem in included message"},
	ec(17, 9):  {"OFPBFC_MSG_BAD_XID", "inconsistent or duplicate XID"},
	ec(17, 10): {"OFPBFC_MSG_UNSUP", "unsupported message in this bundle"},
	ec(17, 11): {"OFPBFC_MSG_CONFLICT", "unsupported message combination in this bundle"},
	ec(17, 12): {"OFPBFC_MSG_TOO_MANY", "can't handle this many messages in bundle"},
	ec(17, 13): {"OFPBFC_MSG_FAILED", "one message in bundle failed"},
	ec(17, 14): {"OFPBFC_TIMEOUT", "bundle is taking too long"},
	ec(17, 15): {"OFPBFC_BUNDLE_IN_PROGRESS", "bundle is locking the resource"},
}

// nxErrors are Nicira experimenter errors (NX1.2+ exp_code).
var nxErrors = map[uint16]errDesc{
	2:  {"NXBRC_NXM_INVALID", "invalid NXM flow match"},
	3:  {"NXBRC_NXM_BAD_TYPE", "the NXM type, mask or length is invalid or not implemented"},
	4:  {"NXBRC_MUST_BE_ZERO", "must-be-zero field had nonzero value"},
	5:  {"NXBRC_BAD_REASON", "the reason in a port_status message is not valid"},
	9:  {"NXBRC_FM_BAD_EVENT", "bad flow monitor event"},
	10: {"NXBRC_UNENCODABLE_ERROR", "the error that occurred cannot be represented in this OpenFlow version"},
	11: {"NXBAC_MUST_BE_ZERO", "must-be-zero action argument had nonzero value"},
	12: {"NXFMFC_HARDWARE", "generic hardware error"},
	13: {"NXFMFC_BAD_TABLE_ID", "a nonexistent table ID was specified"},
	14: {"NXBMC_CT_DATAPATH_SUPPORT", "conntrack action or match not supported by the datapath"},
	15: {"NXBAC_BAD_CONJUNCTION", "conjunction must be the only action and satisfy 1 <= k <= n and 2 <= n <= 64"},
	16: {"NXTTMFC_BAD_COMMAND", "bad TLV table mod command"},
	17: {"NXTTMFC_BAD_OPT_LEN", "bad TLV option length"},
	18: {"NXTTMFC_BAD_FIELD_IDX", "TLV field index out of range"},
	19: {"NXTTMFC_TABLE_FULL", "TLV table full"},
	20: {"NXTTMFC_ALREADY_MAPPED", "TLV field index already mapped"},
	21: {"NXTTMFC_DUP_ENTRY", "duplicate TLV mapping"},
	22: {"OFPBFC_BAD_VERSION", "inner and outer bundle message versions differ"},
	23: {"NXQOFC_QUEUE_ERROR", "system error retrieving queue details"},
	34: {"NXR_NOT_SUPPORTED", "the datapath doesn't support NXT_RESUME"},
	35: {"NXR_STALE", "stale continuation"},
	36: {"NXST_NOT_CONFIGURED", "protocol is not configured"},
}
