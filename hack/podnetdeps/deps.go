//go:build tools

// Package podnetdeps pins the modules of the pod-networking work until code imports them.
package podnetdeps

import (
	_ "github.com/containernetworking/cni/libcni"
	_ "github.com/containernetworking/cni/pkg/skel"
	_ "github.com/containernetworking/plugins/pkg/ip"
	_ "github.com/containernetworking/plugins/pkg/ipam"
	_ "github.com/containernetworking/plugins/pkg/ns"
	_ "github.com/containernetworking/plugins/pkg/testutils"
	_ "github.com/containernetworking/plugins/plugins/ipam/host-local/backend/allocator"
	_ "github.com/virtual-kubelet/virtual-kubelet/node"
	_ "github.com/virtual-kubelet/virtual-kubelet/node/api"
	_ "github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
	_ "github.com/vishvananda/netlink"
)
