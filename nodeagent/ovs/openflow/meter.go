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

// MeterCommand is the OFPMC_* command.
type MeterCommand uint16

// Meter commands.
const (
	MeterAdd    MeterCommand = 0
	MeterModify MeterCommand = 1
	MeterDelete MeterCommand = 2
)

// MeterFlags are OFPMF_* flags.
type MeterFlags uint16

// Meter flags.
const (
	MeterKbps  MeterFlags = 1
	MeterPktps MeterFlags = 2
	MeterBurst MeterFlags = 4
	MeterStats MeterFlags = 8
)

// MeterAll is OFPM_ALL (delete every meter).
const MeterAll uint32 = 0xffffffff

// MeterBandDrop is OFPMBT_DROP.
const MeterBandDrop uint16 = 1

// MeterBand is one meter band (drop bands only need Rate and BurstSize).
type MeterBand struct {
	Type      uint16
	Rate      uint32
	BurstSize uint32
}

// MeterMod is OFPT_METER_MOD.
type MeterMod struct {
	Command MeterCommand
	Flags   MeterFlags
	MeterID uint32
	Bands   []MeterBand
}

// DeleteAllMeters returns the METER_MOD that removes every meter.
func DeleteAllMeters() MeterMod { return MeterMod{Command: MeterDelete, MeterID: MeterAll} }

// MsgType implements Message.
func (MeterMod) MsgType() MsgType { return TypeMeterMod }

// AppendBody implements Message.
func (m MeterMod) AppendBody(b []byte) []byte {
	b = appendU16(b, uint16(m.Command))
	b = appendU16(b, uint16(m.Flags))
	b = appendU32(b, m.MeterID)
	for _, band := range m.Bands {
		b = appendU16(b, band.Type)
		b = appendU16(b, 16)
		b = appendU32(b, band.Rate)
		b = appendU32(b, band.BurstSize)
		b = append(b, 0, 0, 0, 0)
	}
	return b
}

func decodeMeterMod(body []byte) (MeterMod, error) {
	if len(body) < 8 {
		return MeterMod{}, fmt.Errorf("meter_mod: %w", ErrShort)
	}
	m := MeterMod{Command: MeterCommand(be.Uint16(body)), Flags: MeterFlags(be.Uint16(body[2:])), MeterID: be.Uint32(body[4:])}
	bs := body[8:]
	for len(bs) > 0 {
		if len(bs) < 16 || be.Uint16(bs[2:]) != 16 {
			return MeterMod{}, fmt.Errorf("meter band: %w", ErrShort)
		}
		m.Bands = append(m.Bands, MeterBand{Type: be.Uint16(bs), Rate: be.Uint32(bs[4:]), BurstSize: be.Uint32(bs[8:])})
		bs = bs[16:]
	}
	return m, nil
}
