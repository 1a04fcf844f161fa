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

// Package filemodes keeps the agent's files to least-privilege modes: what it
// saves (the policies it enforces, the FQDN cache) and np.log (who talked to whom)
// are for root only, whatever modes the directories had before (a hostPath
// DirectoryOrCreate is 0755).
//
//	agent start ─► Restrict(state dir, np.log)
//	      state dir           0700 (created, or tightened)
//	      np.log's directory  0700 (created, or tightened)
//	      np.log              0600 (tightened; new files and rotations are 0600)
//
// The CNI server's socket is published at 0600 by nodeagent/cniserver itself.
package filemodes

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Least-privilege modes.
const (
	DirMode  fs.FileMode = 0o700
	FileMode fs.FileMode = 0o600
)

// Restrict creates or tightens stateDir and auditLog's directory to DirMode, and
// tightens an existing auditLog to FileMode.
func Restrict(stateDir, auditLog string) error {
	for _, dir := range []string{stateDir, filepath.Dir(auditLog)} {
		if err := restrictDir(dir); err != nil {
			return err
		}
	}
	return tighten(auditLog, FileMode)
}

func restrictDir(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	return tighten(dir, DirMode)
}

// tighten removes from path's mode every permission that want does not have; a
// missing path is left missing.
func tighten(path string, want fs.FileMode) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking the mode of %s: %w", path, err)
	}
	if mode := info.Mode().Perm(); mode&^want != 0 {
		if err := os.Chmod(path, mode&want); err != nil {
			return fmt.Errorf("restricting %s to %v: %w", path, mode&want, err)
		}
	}
	return nil
}
