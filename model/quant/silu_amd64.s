//go:build amd64 && !purego

#include "textflag.h"

// Constants of swigluAVX2, each in all eight float32 lanes: the
// sign bit, then those of ExpShift (see softmax_amd64.s and expShiftGo).
DATA swSign<>+0(SB)/4, $0x80000000
DATA swSign<>+4(SB)/4, $0x80000000
DATA swSign<>+8(SB)/4, $0x80000000
DATA swSign<>+12(SB)/4, $0x80000000
DATA swSign<>+16(SB)/4, $0x80000000
DATA swSign<>+20(SB)/4, $0x80000000
DATA swSign<>+24(SB)/4, $0x80000000
DATA swSign<>+28(SB)/4, $0x80000000
GLOBL swSign<>(SB), RODATA|NOPTR, $32

DATA swMin<>+0(SB)/4, $0xc2ae0000
DATA swMin<>+4(SB)/4, $0xc2ae0000
DATA swMin<>+8(SB)/4, $0xc2ae0000
DATA swMin<>+12(SB)/4, $0xc2ae0000
DATA swMin<>+16(SB)/4, $0xc2ae0000
DATA swMin<>+20(SB)/4, $0xc2ae0000
DATA swMin<>+24(SB)/4, $0xc2ae0000
DATA swMin<>+28(SB)/4, $0xc2ae0000
GLOBL swMin<>(SB), RODATA|NOPTR, $32

DATA swLog2e<>+0(SB)/4, $0x3fb8aa3b
DATA swLog2e<>+4(SB)/4, $0x3fb8aa3b
DATA swLog2e<>+8(SB)/4, $0x3fb8aa3b
DATA swLog2e<>+12(SB)/4, $0x3fb8aa3b
DATA swLog2e<>+16(SB)/4, $0x3fb8aa3b
DATA swLog2e<>+20(SB)/4, $0x3fb8aa3b
DATA swLog2e<>+24(SB)/4, $0x3fb8aa3b
DATA swLog2e<>+28(SB)/4, $0x3fb8aa3b
GLOBL swLog2e<>(SB), RODATA|NOPTR, $32

DATA swMagic<>+0(SB)/4, $0x4b400000
DATA swMagic<>+4(SB)/4, $0x4b400000
DATA swMagic<>+8(SB)/4, $0x4b400000
DATA swMagic<>+12(SB)/4, $0x4b400000
DATA swMagic<>+16(SB)/4, $0x4b400000
DATA swMagic<>+20(SB)/4, $0x4b400000
DATA swMagic<>+24(SB)/4, $0x4b400000
DATA swMagic<>+28(SB)/4, $0x4b400000
GLOBL swMagic<>(SB), RODATA|NOPTR, $32

DATA swC1<>+0(SB)/4, $0x3f318000
DATA swC1<>+4(SB)/4, $0x3f318000
DATA swC1<>+8(SB)/4, $0x3f318000
DATA swC1<>+12(SB)/4, $0x3f318000
DATA swC1<>+16(SB)/4, $0x3f318000
DATA swC1<>+20(SB)/4, $0x3f318000
DATA swC1<>+24(SB)/4, $0x3f318000
DATA swC1<>+28(SB)/4, $0x3f318000
GLOBL swC1<>(SB), RODATA|NOPTR, $32

DATA swC2<>+0(SB)/4, $0xb95e8083
DATA swC2<>+4(SB)/4, $0xb95e8083
DATA swC2<>+8(SB)/4, $0xb95e8083
DATA swC2<>+12(SB)/4, $0xb95e8083
DATA swC2<>+16(SB)/4, $0xb95e8083
DATA swC2<>+20(SB)/4, $0xb95e8083
DATA swC2<>+24(SB)/4, $0xb95e8083
DATA swC2<>+28(SB)/4, $0xb95e8083
GLOBL swC2<>(SB), RODATA|NOPTR, $32

DATA swP0<>+0(SB)/4, $0x39506967
DATA swP0<>+4(SB)/4, $0x39506967
DATA swP0<>+8(SB)/4, $0x39506967
DATA swP0<>+12(SB)/4, $0x39506967
DATA swP0<>+16(SB)/4, $0x39506967
DATA swP0<>+20(SB)/4, $0x39506967
DATA swP0<>+24(SB)/4, $0x39506967
DATA swP0<>+28(SB)/4, $0x39506967
GLOBL swP0<>(SB), RODATA|NOPTR, $32

DATA swP1<>+0(SB)/4, $0x3ab743ce
DATA swP1<>+4(SB)/4, $0x3ab743ce
DATA swP1<>+8(SB)/4, $0x3ab743ce
DATA swP1<>+12(SB)/4, $0x3ab743ce
DATA swP1<>+16(SB)/4, $0x3ab743ce
DATA swP1<>+20(SB)/4, $0x3ab743ce
DATA swP1<>+24(SB)/4, $0x3ab743ce
DATA swP1<>+28(SB)/4, $0x3ab743ce
GLOBL swP1<>(SB), RODATA|NOPTR, $32

DATA swP2<>+0(SB)/4, $0x3c088908
DATA swP2<>+4(SB)/4, $0x3c088908
DATA swP2<>+8(SB)/4, $0x3c088908
DATA swP2<>+12(SB)/4, $0x3c088908
DATA swP2<>+16(SB)/4, $0x3c088908
DATA swP2<>+20(SB)/4, $0x3c088908
DATA swP2<>+24(SB)/4, $0x3c088908
DATA swP2<>+28(SB)/4, $0x3c088908
GLOBL swP2<>(SB), RODATA|NOPTR, $32

DATA swP3<>+0(SB)/4, $0x3d2aa9c1
DATA swP3<>+4(SB)/4, $0x3d2aa9c1
DATA swP3<>+8(SB)/4, $0x3d2aa9c1
DATA swP3<>+12(SB)/4, $0x3d2aa9c1
DATA swP3<>+16(SB)/4, $0x3d2aa9c1
DATA swP3<>+20(SB)/4, $0x3d2aa9c1
DATA swP3<>+24(SB)/4, $0x3d2aa9c1
DATA swP3<>+28(SB)/4, $0x3d2aa9c1
GLOBL swP3<>(SB), RODATA|NOPTR, $32

DATA swP4<>+0(SB)/4, $0x3e2aaaaa
DATA swP4<>+4(SB)/4, $0x3e2aaaaa
DATA swP4<>+8(SB)/4, $0x3e2aaaaa
DATA swP4<>+12(SB)/4, $0x3e2aaaaa
DATA swP4<>+16(SB)/4, $0x3e2aaaaa
DATA swP4<>+20(SB)/4, $0x3e2aaaaa
DATA swP4<>+24(SB)/4, $0x3e2aaaaa
DATA swP4<>+28(SB)/4, $0x3e2aaaaa
GLOBL swP4<>(SB), RODATA|NOPTR, $32

DATA swP5<>+0(SB)/4, $0x3f000000
DATA swP5<>+4(SB)/4, $0x3f000000
DATA swP5<>+8(SB)/4, $0x3f000000
DATA swP5<>+12(SB)/4, $0x3f000000
DATA swP5<>+16(SB)/4, $0x3f000000
DATA swP5<>+20(SB)/4, $0x3f000000
DATA swP5<>+24(SB)/4, $0x3f000000
DATA swP5<>+28(SB)/4, $0x3f000000
GLOBL swP5<>(SB), RODATA|NOPTR, $32

DATA swOne<>+0(SB)/4, $0x3f800000
DATA swOne<>+4(SB)/4, $0x3f800000
DATA swOne<>+8(SB)/4, $0x3f800000
DATA swOne<>+12(SB)/4, $0x3f800000
DATA swOne<>+16(SB)/4, $0x3f800000
DATA swOne<>+20(SB)/4, $0x3f800000
DATA swOne<>+24(SB)/4, $0x3f800000
DATA swOne<>+28(SB)/4, $0x3f800000
GLOBL swOne<>(SB), RODATA|NOPTR, $32

DATA swBias<>+0(SB)/4, $0xb4c0007f
DATA swBias<>+4(SB)/4, $0xb4c0007f
DATA swBias<>+8(SB)/4, $0xb4c0007f
DATA swBias<>+12(SB)/4, $0xb4c0007f
DATA swBias<>+16(SB)/4, $0xb4c0007f
DATA swBias<>+20(SB)/4, $0xb4c0007f
DATA swBias<>+24(SB)/4, $0xb4c0007f
DATA swBias<>+28(SB)/4, $0xb4c0007f
GLOBL swBias<>(SB), RODATA|NOPTR, $32

// func swigluAVX2(h, up *float32, n int)   (n a positive multiple of 8)
//
// SwiGLU on eight lanes at a time, the same operations in the same order as
// the portable code: e = e^−|g| exactly as expShiftAVX2 computes it with
// shift 0, s = 1/(1+e), s·e where g < 0, and h = (g·s)·u. Doing it in one
// pass leaves out the branch on the sign of g, which mispredicts half the
// time on a layer's activations.
TEXT ·swigluAVX2(SB), NOSPLIT, $0-24
	MOVQ h+0(FP), SI
	MOVQ up+8(FP), DI
	MOVQ n+16(FP), CX
	VMOVUPS swSign<>(SB), Y15
	VMOVUPS swOne<>(SB), Y14
	VXORPS  Y13, Y13, Y13

swigluloop:
	VMOVUPS (SI), Y0                   // g
	VORPS   Y15, Y0, Y1                // -|g|: the sign bit set
	VMOVUPS swMin<>(SB), Y2
	VMAXPS  Y1, Y2, Y1                 // max(-87, x); a NaN x is kept
	VMOVUPS swLog2e<>(SB), Y2
	VFMADD213PS swMagic<>(SB), Y1, Y2  // t = x·log2(e) + 1.5·2^23
	VSUBPS swMagic<>(SB), Y2, Y3       // n
	VFNMADD231PS swC1<>(SB), Y3, Y1    // r = x − n·C1 − n·C2
	VFNMADD231PS swC2<>(SB), Y3, Y1
	VMOVUPS swP0<>(SB), Y4
	VFMADD213PS swP1<>(SB), Y1, Y4
	VFMADD213PS swP2<>(SB), Y1, Y4
	VFMADD213PS swP3<>(SB), Y1, Y4
	VFMADD213PS swP4<>(SB), Y1, Y4
	VFMADD213PS swP5<>(SB), Y1, Y4
	VMULPS Y1, Y1, Y5
	VFMADD213PS Y1, Y5, Y4             // p·r² + r
	VADDPS Y14, Y4, Y4
	VPADDD swBias<>(SB), Y2, Y2
	VPSLLD $23, Y2, Y2                 // 2^n
	VMULPS Y2, Y4, Y4                  // e
	VADDPS Y14, Y4, Y5
	VDIVPS Y5, Y14, Y5                 // s = 1/(1+e)
	VMULPS Y4, Y5, Y6                  // s·e
	VCMPPS $1, Y13, Y0, Y7             // g < 0
	VBLENDVPS Y7, Y6, Y5, Y5
	VMULPS Y5, Y0, Y0
	VMULPS (DI), Y0, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  swigluloop
	VZEROUPPER
	RET
