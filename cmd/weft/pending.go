package main

import "errors"

var errPending = errors.New("not wired yet")

func cmdDemo(e *env, args []string) error      { return errPending }
func cmdImplement(e *env, args []string) error { return errPending }
func cmdTranslate(e *env, args []string) error { return errPending }
func cmdTrain(e *env, args []string) error     { return errPending }
func cmdEval(e *env, args []string) error      { return errPending }
func benchLSP(e *env, m any, file string, n int, j bool) error { return errPending }
