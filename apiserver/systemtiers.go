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

package apiserver

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	restclient "k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/crd"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

// systemTiersTimeout bounds the creation of the system Tiers at start-up.
const systemTiersTimeout = 2 * time.Minute

// ensureSystemTiers creates the system Tiers that do not exist yet. It is idempotent
// and safe when several replicas race: AlreadyExists counts as done.
func ensureSystemTiers(ctx context.Context, loopback *restclient.Config) error {
	client, err := versioned.NewForConfig(loopback)
	if err != nil {
		return fmt.Errorf("system tiers: creating the loopback client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, systemTiersTimeout)
	defer cancel()
	for _, st := range crd.SystemTiers {
		tier := &crdv1beta1.Tier{
			ObjectMeta: metav1.ObjectMeta{Name: st.Name},
			Spec:       crdv1beta1.TierSpec{Priority: st.Priority, Description: st.Description},
		}
		err := wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
			_, err := client.CrdV1beta1().Tiers().Create(ctx, tier, metav1.CreateOptions{})
			if err == nil || apierrors.IsAlreadyExists(err) {
				return true, nil
			}
			klog.FromContext(ctx).V(2).Info("Retrying the creation of a system Tier", "tier", st.Name, "err", err)
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("system tiers: creating Tier %q within %s: %w", st.Name, systemTiersTimeout, err)
		}
	}
	klog.FromContext(ctx).Info("System Tiers are present", "count", len(crd.SystemTiers))
	return nil
}
