//go:build unix

package gguf

import (
	"os"
	"syscall"
	"unsafe"
)

// mapFile maps the file read-only; the pages are loaded by the kernel on first touch.
func mapFile(fd *os.File, size int64) ([]byte, func() error, error) {
	if int64(int(size)) != size {
		return nil, nil, syscall.EFBIG
	}
	b, err := syscall.Mmap(int(fd.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}

// evictPages drops the whole pages inside b from this process's resident
// set (MADV_DONTNEED). On a shared read-only file mapping this loses
// nothing: a later read faults the page in again from the page cache.
func evictPages(b []byte) {
	ps := uintptr(os.Getpagesize())
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := (p + ps - 1) &^ (ps - 1)
	hi := (p + uintptr(len(b))) &^ (ps - 1)
	if hi > lo {
		syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, syscall.MADV_DONTNEED)
	}
}
