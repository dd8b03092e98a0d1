package grammars

// #include <stdlib.h>
import "C"

import "unsafe"

// newCancelFlag allocates a parser cancellation flag in C memory: the C parser keeps the pointer
// between calls, which Go memory may not be lent for. Like the parser, it lives until Close.
func newCancelFlag() *uintptr {
	return (*uintptr)(C.calloc(1, C.size_t(unsafe.Sizeof(uintptr(0)))))
}

func freeCancelFlag(p *uintptr) { C.free(unsafe.Pointer(p)) }
