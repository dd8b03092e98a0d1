package main

import "errors"

var errPending = errors.New("not wired yet")
