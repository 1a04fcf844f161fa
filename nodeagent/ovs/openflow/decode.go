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

import (
	"errors"
	"fmt"
)

// ErrVersion reports a message that is not OpenFlow 1.5.
var ErrVersion = errors.New("openflow: not an OpenFlow 1.5 message")

// DecodeMessage decodes one complete message (header included). It never
// panics on malformed input and copies every slice it returns.
func DecodeMessage(b []byte) (Header, Message, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return h, nil, err
	}
	if int(h.Length) != len(b) || h.Length < HeaderLen {
		return h, nil, fmt.Errorf("message length %d, have %d bytes: %w", h.Length, len(b), ErrShort)
	}
	if h.Version != Version {
		return h, nil, fmt.Errorf("%w: version 0x%02x", ErrVersion, h.Version)
	}
	m, err := decodeBody(h.Type, b[HeaderLen:])
	if err != nil {
		return h, nil, fmt.Errorf("decode %v: %w", h.Type, err)
	}
	return h, m, nil
}

func copyBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

func decodeBody(t MsgType, body []byte) (Message, error) {
	switch t {
	case TypeHello:
		return decodeHello(body)
	case TypeError:
		return decodeError(body)
	case TypeEchoRequest:
		return EchoRequest{Data: copyBytes(body)}, nil
	case TypeEchoReply:
		return EchoReply{Data: copyBytes(body)}, nil
	case TypeExperimenter:
		return decodeExperimenter(body)
	case TypeFeaturesReq:
		return FeaturesRequest{}, nil
	case TypeFeaturesReply:
		return decodeFeaturesReply(body)
	case TypeSetConfig:
		return decodeSetConfig(body)
	case TypePacketOut:
		return decodePacketOut(body)
	case TypeFlowMod:
		return decodeFlowMod(body)
	case TypeGroupMod:
		return decodeGroupMod(body)
	case TypeMeterMod:
		return decodeMeterMod(body)
	case TypeMultipartReq:
		return decodeMultipartRequest(body)
	case TypeMultipartReply:
		return decodeMultipartReply(body)
	case TypeBarrierReq:
		return BarrierRequest{}, nil
	case TypeBarrierReply:
		return BarrierReply{}, nil
	case TypeBundleControl:
		return decodeBundleControl(body)
	case TypeBundleAdd:
		return decodeBundleAdd(body)
	}
	return Unknown{Type: t, Body: copyBytes(body)}, nil
}

func decodeExperimenter(body []byte) (Message, error) {
	if len(body) < 8 {
		return nil, fmt.Errorf("experimenter: %w", ErrShort)
	}
	exp, sub, data := be.Uint32(body), be.Uint32(body[4:]), body[8:]
	if exp == NiciraID {
		switch sub {
		case nxtSetPacketInFormat:
			if len(data) != 4 {
				return nil, fmt.Errorf("set_packet_in_format: %w", ErrShort)
			}
			return SetPacketInFormat{Format: be.Uint32(data)}, nil
		case nxtSetControllerID:
			if len(data) != 8 {
				return nil, fmt.Errorf("set_controller_id: %w", ErrShort)
			}
			return SetControllerID{ID: be.Uint16(data[6:])}, nil
		case nxtPacketIn2:
			return decodePacketIn2(data)
		}
	}
	return Experimenter{Experimenter: exp, ExpType: sub, Data: copyBytes(data)}, nil
}
