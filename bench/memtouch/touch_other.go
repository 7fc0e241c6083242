//go:build !linux

package main

import "errors"

func run(int, int) error {
	return errors.New("measures Linux's page faults and transparent huge pages only")
}
