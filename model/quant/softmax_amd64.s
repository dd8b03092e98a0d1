//go:build amd64 && !purego

#include "textflag.h"

// Constants of ExpShift (see expShiftGo), each in all eight float32 lanes.
// expBias turns the rounding sum t into the exponent bits of 2^n:
// bits(t) = 0x4b400000 + n, so 2^n = (bits(t) + 127 − 0x4b400000) << 23.
DATA expMin<>+0(SB)/4, $0xc2ae0000
DATA expMin<>+4(SB)/4, $0xc2ae0000
DATA expMin<>+8(SB)/4, $0xc2ae0000
DATA expMin<>+12(SB)/4, $0xc2ae0000
DATA expMin<>+16(SB)/4, $0xc2ae0000
DATA expMin<>+20(SB)/4, $0xc2ae0000
DATA expMin<>+24(SB)/4, $0xc2ae0000
DATA expMin<>+28(SB)/4, $0xc2ae0000
GLOBL expMin<>(SB), RODATA|NOPTR, $32

DATA expLog2e<>+0(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+4(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+8(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+12(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+16(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+20(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+24(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+28(SB)/4, $0x3fb8aa3b
GLOBL expLog2e<>(SB), RODATA|NOPTR, $32

DATA expMagic<>+0(SB)/4, $0x4b400000
DATA expMagic<>+4(SB)/4, $0x4b400000
DATA expMagic<>+8(SB)/4, $0x4b400000
DATA expMagic<>+12(SB)/4, $0x4b400000
DATA expMagic<>+16(SB)/4, $0x4b400000
DATA expMagic<>+20(SB)/4, $0x4b400000
DATA expMagic<>+24(SB)/4, $0x4b400000
DATA expMagic<>+28(SB)/4, $0x4b400000
GLOBL expMagic<>(SB), RODATA|NOPTR, $32

DATA expC1<>+0(SB)/4, $0x3f318000
DATA expC1<>+4(SB)/4, $0x3f318000
DATA expC1<>+8(SB)/4, $0x3f318000
DATA expC1<>+12(SB)/4, $0x3f318000
DATA expC1<>+16(SB)/4, $0x3f318000
DATA expC1<>+20(SB)/4, $0x3f318000
DATA expC1<>+24(SB)/4, $0x3f318000
DATA expC1<>+28(SB)/4, $0x3f318000
GLOBL expC1<>(SB), RODATA|NOPTR, $32

DATA expC2<>+0(SB)/4, $0xb95e8083
DATA expC2<>+4(SB)/4, $0xb95e8083
DATA expC2<>+8(SB)/4, $0xb95e8083
DATA expC2<>+12(SB)/4, $0xb95e8083
DATA expC2<>+16(SB)/4, $0xb95e8083
DATA expC2<>+20(SB)/4, $0xb95e8083
DATA expC2<>+24(SB)/4, $0xb95e8083
DATA expC2<>+28(SB)/4, $0xb95e8083
GLOBL expC2<>(SB), RODATA|NOPTR, $32

DATA expP0<>+0(SB)/4, $0x39506967
DATA expP0<>+4(SB)/4, $0x39506967
DATA expP0<>+8(SB)/4, $0x39506967
DATA expP0<>+12(SB)/4, $0x39506967
DATA expP0<>+16(SB)/4, $0x39506967
DATA expP0<>+20(SB)/4, $0x39506967
DATA expP0<>+24(SB)/4, $0x39506967
DATA expP0<>+28(SB)/4, $0x39506967
GLOBL expP0<>(SB), RODATA|NOPTR, $32

DATA expP1<>+0(SB)/4, $0x3ab743ce
DATA expP1<>+4(SB)/4, $0x3ab743ce
DATA expP1<>+8(SB)/4, $0x3ab743ce
DATA expP1<>+12(SB)/4, $0x3ab743ce
DATA expP1<>+16(SB)/4, $0x3ab743ce
DATA expP1<>+20(SB)/4, $0x3ab743ce
DATA expP1<>+24(SB)/4, $0x3ab743ce
DATA expP1<>+28(SB)/4, $0x3ab743ce
GLOBL expP1<>(SB), RODATA|NOPTR, $32

DATA expP2<>+0(SB)/4, $0x3c088908
DATA expP2<>+4(SB)/4, $0x3c088908
DATA expP2<>+8(SB)/4, $0x3c088908
DATA expP2<>+12(SB)/4, $0x3c088908
DATA expP2<>+16(SB)/4, $0x3c088908
DATA expP2<>+20(SB)/4, $0x3c088908
DATA expP2<>+24(SB)/4, $0x3c088908
DATA expP2<>+28(SB)/4, $0x3c088908
GLOBL expP2<>(SB), RODATA|NOPTR, $32

DATA expP3<>+0(SB)/4, $0x3d2aa9c1
DATA expP3<>+4(SB)/4, $0x3d2aa9c1
DATA expP3<>+8(SB)/4, $0x3d2aa9c1
DATA expP3<>+12(SB)/4, $0x3d2aa9c1
DATA expP3<>+16(SB)/4, $0x3d2aa9c1
DATA expP3<>+20(SB)/4, $0x3d2aa9c1
DATA expP3<>+24(SB)/4, $0x3d2aa9c1
DATA expP3<>+28(SB)/4, $0x3d2aa9c1
GLOBL expP3<>(SB), RODATA|NOPTR, $32

DATA expP4<>+0(SB)/4, $0x3e2aaaaa
DATA expP4<>+4(SB)/4, $0x3e2aaaaa
DATA expP4<>+8(SB)/4, $0x3e2aaaaa
DATA expP4<>+12(SB)/4, $0x3e2aaaaa
DATA expP4<>+16(SB)/4, $0x3e2aaaaa
DATA expP4<>+20(SB)/4, $0x3e2aaaaa
DATA expP4<>+24(SB)/4, $0x3e2aaaaa
DATA expP4<>+28(SB)/4, $0x3e2aaaaa
GLOBL expP4<>(SB), RODATA|NOPTR, $32

DATA expP5<>+0(SB)/4, $0x3f000000
DATA expP5<>+4(SB)/4, $0x3f000000
DATA expP5<>+8(SB)/4, $0x3f000000
DATA expP5<>+12(SB)/4, $0x3f000000
DATA expP5<>+16(SB)/4, $0x3f000000
DATA expP5<>+20(SB)/4, $0x3f000000
DATA expP5<>+24(SB)/4, $0x3f000000
DATA expP5<>+28(SB)/4, $0x3f000000
GLOBL expP5<>(SB), RODATA|NOPTR, $32

DATA expOne<>+0(SB)/4, $0x3f800000
DATA expOne<>+4(SB)/4, $0x3f800000
DATA expOne<>+8(SB)/4, $0x3f800000
DATA expOne<>+12(SB)/4, $0x3f800000
DATA expOne<>+16(SB)/4, $0x3f800000
DATA expOne<>+20(SB)/4, $0x3f800000
DATA expOne<>+24(SB)/4, $0x3f800000
DATA expOne<>+28(SB)/4, $0x3f800000
GLOBL expOne<>(SB), RODATA|NOPTR, $32

DATA expBias<>+0(SB)/4, $0xb4c0007f
DATA expBias<>+4(SB)/4, $0xb4c0007f
DATA expBias<>+8(SB)/4, $0xb4c0007f
DATA expBias<>+12(SB)/4, $0xb4c0007f
DATA expBias<>+16(SB)/4, $0xb4c0007f
DATA expBias<>+20(SB)/4, $0xb4c0007f
DATA expBias<>+24(SB)/4, $0xb4c0007f
DATA expBias<>+28(SB)/4, $0xb4c0007f
GLOBL expBias<>(SB), RODATA|NOPTR, $32

// func expShiftAVX2(x *float32, n int, shift float32) float64   (n a multiple of 8)
//
// expShiftGo on eight lanes at a time, with FMA. The exponentials are summed
// in float64: lanes 0-3 in Y14, lanes 4-7 in Y15.
TEXT ·expShiftAVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS shift+16(FP), Y0
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15

expshiftloop:
	VMOVUPS (SI), Y1
	VSUBPS Y0, Y1, Y1
	VMOVUPS expMin<>(SB), Y2
	VMAXPS Y1, Y2, Y1              // max(-87, x); a NaN x is kept
	VMOVUPS expLog2e<>(SB), Y2
	VFMADD213PS expMagic<>(SB), Y1, Y2 // t = x·log2(e) + 1.5·2^23
	VSUBPS expMagic<>(SB), Y2, Y3      // n
	VFNMADD231PS expC1<>(SB), Y3, Y1   // r = x − n·C1 − n·C2
	VFNMADD231PS expC2<>(SB), Y3, Y1
	VMOVUPS expP0<>(SB), Y4
	VFMADD213PS expP1<>(SB), Y1, Y4
	VFMADD213PS expP2<>(SB), Y1, Y4
	VFMADD213PS expP3<>(SB), Y1, Y4
	VFMADD213PS expP4<>(SB), Y1, Y4
	VFMADD213PS expP5<>(SB), Y1, Y4
	VMULPS Y1, Y1, Y5
	VFMADD213PS Y1, Y5, Y4             // p·r² + r
	VADDPS expOne<>(SB), Y4, Y4
	VPADDD expBias<>(SB), Y2, Y2
	VPSLLD $23, Y2, Y2                 // 2^n
	VMULPS Y2, Y4, Y4
	VMOVUPS Y4, (SI)
	VCVTPS2PD X4, Y6
	VEXTRACTF128 $1, Y4, X7
	VCVTPS2PD X7, Y7
	VADDPD Y6, Y14, Y14
	VADDPD Y7, Y15, Y15
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ  expshiftloop

	VADDPD Y15, Y14, Y14
	VEXTRACTF128 $1, Y14, X15
	VADDPD X15, X14, X14
	VUNPCKHPD X14, X14, X15
	VADDSD X15, X14, X14
	VMOVSD X14, ret+24(FP)
	VZEROUPPER
	RET

// func maxAVX2(x *float32, n int) float32   (n a positive multiple of 8)
//
// The largest element, over four YMM running maxima (n >= 32) so that the
// VMAXPS latencies overlap.
TEXT ·maxAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VMOVUPS (SI), Y0
	VMOVAPS Y0, Y1
	VMOVAPS Y0, Y2
	VMOVAPS Y0, Y3

max32:
	CMPQ CX, $32
	JLT  max8
	VMAXPS (SI), Y0, Y0
	VMAXPS 32(SI), Y1, Y1
	VMAXPS 64(SI), Y2, Y2
	VMAXPS 96(SI), Y3, Y3
	ADDQ $128, SI
	SUBQ $32, CX
	JMP  max32

max8:
	CMPQ CX, $8
	JLT  maxdone
	VMAXPS (SI), Y0, Y0
	ADDQ $32, SI
	SUBQ $8, CX
	JMP  max8

maxdone:
	VMAXPS Y1, Y0, Y0
	VMAXPS Y3, Y2, Y2
	VMAXPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET
