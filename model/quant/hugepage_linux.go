package quant

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64 transparent huge page.
const hugePage = 2 << 20

// adviseHuge asks the kernel to back b's whole 2 MiB pages with transparent
// huge pages (where THP is "madvise", the default on many distributions).
// Decoding streams every weight once per token: with 4 KiB pages the
// hardware prefetchers stop at each page boundary and every 4 KiB costs a
// TLB miss. It must be called before b is first written, since only new
// page faults are served with huge pages. Errors are ignored: it is advice.
func adviseHuge(b []byte) {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := (p + hugePage - 1) &^ (hugePage - 1)
	hi := (p + uintptr(len(b))) &^ (hugePage - 1)
	if hi <= lo {
		return
	}
	syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, syscall.MADV_HUGEPAGE)
}
