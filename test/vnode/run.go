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

package vnode

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	vklog "github.com/virtual-kubelet/virtual-kubelet/log"
	"github.com/virtual-kubelet/virtual-kubelet/log/klogv2"
	"github.com/virtual-kubelet/virtual-kubelet/node"
	"github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

// shutdownGrace bounds the grace period of the Pods stopped on shutdown.
const shutdownGrace = 10 * time.Second

// Run registers the Node and runs its Pods until ctx is done; then it stops
// every Pod and tears down their sandboxes.
func Run(ctx context.Context, cfg Config) error {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	vklog.L = klogv2.New(nil)
	restCfg, err := clientcmd.BuildConfigFromFlags("", cfg.Kubeconfig)
	if err != nil {
		return fmt.Errorf("--kubeconfig: %w", err)
	}
	restCfg.QPS, restCfg.Burst = 50, 100 // a kubelet's defaults (client-go's are 5 and 10)
	client, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		return fmt.Errorf("--kubeconfig: %w", err)
	}
	tlsOpts, err := cfg.tlsOptions()
	if err != nil {
		return err
	}
	provider, err := NewProvider(ctx, cfg.Runtime)
	if err != nil {
		return err
	}
	provider.UseClient(client)
	provider.OnPodDeleted(func(ctx context.Context, pod *corev1.Pod) { deletePodObject(ctx, client, pod) })
	relayDone, err := startAPIServerRelay(ctx, &cfg, restCfg.Host)
	if err != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		return errors.Join(err, provider.Shutdown(sctx, shutdownGrace))
	}
	status := newNodeStatus(&cfg)
	mux := http.NewServeMux()
	n, err := nodeutil.NewNode(cfg.Runtime.NodeName,
		func(nodeutil.ProviderConfig) (nodeutil.Provider, node.NodeProvider, error) {
			return provider, status, nil
		},
		nodeutil.WithClient(client),
		func(c *nodeutil.NodeConfig) error {
			c.NodeSpec = *status.initial()
			c.KubeconfigPath = cfg.Kubeconfig
			c.HTTPListenAddr = net.JoinHostPort(cfg.KubeletAddress, strconv.Itoa(cfg.KubeletPort))
			c.NumWorkers = cfg.PodSyncWorkers
			// The provider resolves env valueFrom itself (env.go), status fields too.
			c.SkipDownwardAPIResolution = true
			return nil
		},
		nodeutil.WithTLSConfig(tlsOpts...),
		withKubeletAPI(mux),
	)
	if err != nil {
		return fmt.Errorf("creating the node: %w", err)
	}
	logger := klog.FromContext(ctx)
	logger.Info("Starting the node", "node", cfg.Runtime.NodeName, "nodeIP", cfg.Runtime.NodeIP,
		"kubeletAPI", net.JoinHostPort(cfg.KubeletAddress, strconv.Itoa(cfg.KubeletPort)))
	runErr := make(chan error, 1)
	go func() { runErr <- n.Run(ctx) }()
	go func() {
		if err := n.WaitReady(ctx, 0); err == nil {
			logger.Info("Node registered, pods are synced", "node", cfg.Runtime.NodeName)
		}
	}()
	err = <-runErr
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	err = errors.Join(err, relayDone())
	logger.Info("Stopping every pod of the node", "node", cfg.Runtime.NodeName)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	return errors.Join(err, provider.Shutdown(sctx, shutdownGrace))
}

// startAPIServerRelay starts the relay of --apiserver-relay-port to the
// kubeconfig's server (see relay.go), if asked; the returned function waits
// until it has stopped with ctx and returns its error.
func startAPIServerRelay(ctx context.Context, cfg *Config, server string) (func() error, error) {
	if cfg.Runtime.APIServerRelayPort == 0 {
		return func() error { return nil }, nil
	}
	target, err := relayTarget(server)
	if err != nil {
		return nil, fmt.Errorf("--apiserver-relay-port: %w", err)
	}
	rc := relayConfig{NetNS: cfg.Runtime.HostNetNS, Target: target,
		Listen: net.JoinHostPort(cfg.Runtime.NodeIP, strconv.Itoa(cfg.Runtime.APIServerRelayPort))}
	l, err := listenRelay(rc)
	if err != nil {
		return nil, fmt.Errorf("--apiserver-relay-port: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- serveRelay(ctx, l, rc) }()
	return func() error { return <-done }, nil
}

// deletePodObject deletes a Pod object whose containers are stopped and whose
// sandbox is gone (grace period 0, this UID only), as a kubelet does once a
// deleted Pod is terminated.
func deletePodObject(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod) {
	opts := metav1.DeleteOptions{GracePeriodSeconds: new(int64), Preconditions: metav1.NewUIDPreconditions(string(pod.UID))}
	err := client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, opts)
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		klog.FromContext(ctx).Error(err, "Deleting the terminated pod object", "pod", klog.KObj(pod))
	}
}
