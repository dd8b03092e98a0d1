package grammars

// go-tree-sitter routes every allocation of the tree-sitter C library through exported Go functions
// (C -> Go -> C.malloc), so each node allocated by a parse and each one freed by Tree.Close costs a
// cgo callback. Measured here on a 10k-line Go file, that overhead was about a third of the CPU time
// of a parse. The library's default is libc's allocator behind those callbacks, so pointing tree-sitter
// at libc directly changes nothing but the cost: memory from either path is freed by the same free().
// It is set once, at package initialisation, after go-tree-sitter's own init.

/*
#include <stdlib.h>

// Declared by tree-sitter's api.h and compiled into go-tree-sitter.
extern void ts_set_allocator(void *(*new_malloc)(size_t), void *(*new_calloc)(size_t, size_t),
	void *(*new_realloc)(void *, size_t), void (*new_free)(void *));

static void weft_libc_allocator(void) { ts_set_allocator(malloc, calloc, realloc, free); }
*/
import "C"

func init() { C.weft_libc_allocator() }
