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

package seed

// The verdict of every pod pair after each walkthrough step, from the
// verdict order of Antrea-native policies: an Antrea-native Allow/Drop in a tier before
// `application` decides first, then K8s NetworkPolicy (a selected pod is
// isolated: what no rule allows is dropped), then the baseline tier. There are
// no pods labelled app=other, so rules "from app=other" allow nothing.

func allWork(src, dst pod) verdict { return works }

func when(cond bool, v verdict) verdict {
	if cond {
		return v
	}
	return works
}

// np1Only: np1.yaml isolates the redis pods of `default`.
func np1Only(src, dst pod) verdict { return when(dst.inDefault() && dst.redis(), drops) }

// np2Only: np2.yaml isolates the guestbook pods of `default`.
func np2Only(src, dst pod) verdict { return when(dst.inDefault() && dst.guestbook(), drops) }

// np3Only: np3.yaml isolates the guestbook pods of `default` but allows
// every pod of namespaces labelled project=test.
func np3Only(src, dst pod) verdict {
	return when(dst.inDefault() && dst.guestbook() && src.NS != "test", drops)
}

// np3AndACNP11: acnp11.yaml (securityops) drops guestbook -> redis in every
// namespace; np3 as before.
func np3AndACNP11(src, dst pod) verdict {
	if dst.redis() && src.guestbook() {
		return drops
	}
	return np3Only(src, dst)
}

// np3AndNP1: np1.yaml isolates redis again, np3 as before.
func np3AndNP1(src, dst pod) verdict {
	if dst.redis() {
		return np1Only(src, dst)
	}
	return np3Only(src, dst)
}

// np3NP1AndACNP12: acnp12.yaml (securityops) allows guestbook -> redis before
// np1's isolation applies; other pods stay isolated from redis.
func np3NP1AndACNP12(src, dst pod) verdict {
	if dst.redis() {
		return when(dst.inDefault() && !src.guestbook(), drops)
	}
	return np3Only(src, dst)
}

// np22Only: np22.yaml lets into the guestbook pods of `default` only the
// guestbook pods of `default`.
func np22Only(src, dst pod) verdict {
	return when(dst.inDefault() && dst.guestbook() && !(src.inDefault() && src.guestbook()), drops)
}

// np22AndGuestbookAllowed: an ACNP (acnp2.yaml; acnp22.yaml once `default` is
// labelled project=prod) allows guestbook -> guestbook across namespaces
// before np22's isolation applies.
func np22AndGuestbookAllowed(src, dst pod) verdict {
	return when(dst.inDefault() && dst.guestbook() && !src.guestbook(), drops)
}

// dropAny: acnp-dropany.yaml (baseline) drops every connection into the pods
// of `default` (labelled project=prod).
func dropAny(src, dst pod) verdict { return when(dst.inDefault(), drops) }

// dropAnyAndACNP3: acnp3.yaml (securityops) allows cg-guestbook ->
// cg-guestbook, cg-guestbook -> cg-redis-nested (master and slaves) and
// cg-redis-master -> cg-redis-slave before the baseline drop.
func dropAnyAndACNP3(src, dst pod) verdict {
	switch {
	case dst.guestbook() && src.guestbook(),
		dst.redis() && src.guestbook(),
		dst.redisSlave() && src.redisMaster():
		return works
	}
	return dropAny(src, dst)
}
