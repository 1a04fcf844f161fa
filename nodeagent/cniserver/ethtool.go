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

package cniserver

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ethtoolSTXCSUM is ETHTOOL_STXCSUM (linux/ethtool.h): set transmit checksum
// offload, the legacy command behind "ethtool -K dev tx on|off".
const ethtoolSTXCSUM = 0x17

// ethtoolValue is struct ethtool_value.
type ethtoolValue struct {
	cmd  uint32
	data uint32
}

// ifreqData is struct ifreq with ifr_data (40 bytes on 64-bit Linux).
type ifreqData struct {
	name [unix.IFNAMSIZ]byte
	data unsafe.Pointer
	_    [24 - unsafe.Sizeof(unsafe.Pointer(nil))]byte
}

// disableTXChecksum turns transmit checksum offload off on the interface of
// the calling thread's network namespace. With OVS's userspace datapath a veth
// hands OVS packets whose checksum was never computed, which the peer then
// drops; computing it in the kernel avoids that.
func disableTXChecksum(ifName string) error {
	if len(ifName) >= unix.IFNAMSIZ {
		return fmt.Errorf("ethtool %s: name longer than %d", ifName, unix.IFNAMSIZ-1)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("ethtool %s: socket: %w", ifName, err)
	}
	defer unix.Close(fd)
	v := ethtoolValue{cmd: ethtoolSTXCSUM, data: 0}
	var ifr ifreqData
	copy(ifr.name[:], ifName)
	ifr.data = unsafe.Pointer(&v)
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&ifr))); errno != 0 {
		return fmt.Errorf("ethtool %s: ETHTOOL_STXCSUM off: %w", ifName, errno)
	}
	return nil
}
