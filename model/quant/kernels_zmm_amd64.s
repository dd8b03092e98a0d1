//go:build amd64 && !purego

#include "textflag.h"

// Four-token AVX-512 (ZMM) kernels for prefill: one pass over a row's
// weights serves four tokens, like q4Quad4VNNI/q8Quad4VNNI, but each
// VPDPBUSD covers two whole blocks and the per-block sums are never folded
// horizontally inside the loop (VPHADDD costs several shuffle uops): the
// int32 lanes are converted as they are, multiplied by their block's scale
// product, and accumulated; a row's lanes are summed once at its end. The
// quad of blocks b0..b3 is taken as two pairs A and B (Q8_0: A = b0|b1,
// B = b2|b3; Q4_0, whose 64 repacked bytes hold b0|b2 in their low nibbles
// and b1|b3 in their high ones: A = b0|b2, B = b1|b3); the activations come
// in that order. Per token and quad, the four scale products dw·dx are one
// XMM multiply (xs4 holds dx0..dx3), spread over the pairs' lanes by VPERMPS
// with the index vectors at perm. The unsigned weights' offset (Q4_0 quants
// are 0..15, Q8_0's are stored as q+128) is taken back by a per-token XMM
// accumulator of dw·dx·(o·Σx) (xk4 holds o·Σx per block), added at the end.
//
// Registers: Z0..Z3 pair A and Z4..Z7 pair B accumulators of tokens 0..3,
// X22..X25 their offset corrections, X8 the quad's weight scales, Z9/Z10 its
// unsigned weights (A, B), Z15 a byte mask, Z16..Z19 temporaries, Z20/Z21
// the scale permutations.

// ZTOK accumulates one token: activations at xa/xb (pairs A/B), xs4 at s4,
// xk4 at k4.
#define ZTOK(xa, xb, s4, k4, accA, accB, corr) \
	VPXORD      Z16, Z16, Z16 \
	VPXORD      Z17, Z17, Z17 \
	VPDPBUSD    xa, Z9, Z16 \
	VPDPBUSD    xb, Z10, Z17 \
	VMULPS      s4, X8, X18 \
	VCVTDQ2PS   k4, X19 \
	VFMADD231PS X19, X18, corr \
	VPERMPS     Z18, Z20, Z19 \
	VPERMPS     Z18, Z21, Z18 \
	VCVTDQ2PS   Z16, Z16 \
	VCVTDQ2PS   Z17, Z17 \
	VFMADD231PS Z16, Z19, accA \
	VFMADD231PS Z17, Z18, accB

// ZTOKENS runs ZTOK for the four tokens: DI activations, R9 xs4, R10 xk4;
// R11/R12 one/three activation strides, R13/R14 one/three xs4/xk4 strides.
#define ZTOKENS \
	ZTOK((DI), 64(DI), (R9), (R10), Z0, Z4, X22) \
	ZTOK((DI)(R11*1), 64(DI)(R11*1), (R9)(R13*1), (R10)(R13*1), Z1, Z5, X23) \
	ZTOK((DI)(R11*2), 64(DI)(R11*2), (R9)(R13*2), (R10)(R13*2), Z2, Z6, X24) \
	ZTOK((DI)(R12*1), 64(DI)(R12*1), (R9)(R14*1), (R10)(R14*1), Z3, Z7, X25)

// ZSCALES loads the quad's four weight scales (at R8).
#define ZSCALES \
	VMOVUPS (R8), X8

// REDUCEZ stores the sum of the lanes of a, b and corr at addr.
#define REDUCEZ(a, b, corr, ya, xa, addr) \
	VADDPS        b, a, a \
	VADDPS        corr, a, a \
	VEXTRACTF64X4 $1, a, Y8 \
	VADDPS        Y8, ya, ya \
	VEXTRACTF128  $1, ya, X8 \
	VADDPS        X8, xa, xa \
	VHADDPS       xa, xa, xa \
	VHADDPS       xa, xa, xa \
	MOVSS         xa, addr

#define ZSETUP \
	MOVQ          wq+0(FP), SI \
	MOVQ          wd+8(FP), R8 \
	MOVQ          xstride+56(FP), R11 \
	MOVQ          sstride+64(FP), R13 \
	MOVQ          y+72(FP), AX \
	MOVQ          ystride+80(FP), DX \
	MOVQ          perm+88(FP), BX \
	VMOVDQU32     (BX), Z20 \
	VMOVDQU32     64(BX), Z21 \
	LEAQ          (R11)(R11*2), R12 \
	LEAQ          (R13)(R13*2), R14

#define ZROWSTART \
	MOVQ   xq+16(FP), DI \
	MOVQ   xs4+24(FP), R9 \
	MOVQ   xk4+32(FP), R10 \
	MOVQ   nquads+40(FP), CX \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7 \
	VPXORD Z22, Z22, Z22 \
	VPXORD Z23, Z23, Z23 \
	VPXORD Z24, Z24, Z24 \
	VPXORD Z25, Z25, Z25

#define ZROWEND \
	LEAQ (DX)(DX*2), BX \
	REDUCEZ(Z0, Z4, Z22, Y0, X0, (AX)) \
	REDUCEZ(Z1, Z5, Z23, Y1, X1, (AX)(DX*1)) \
	REDUCEZ(Z2, Z6, Z24, Y2, X2, (AX)(DX*2)) \
	REDUCEZ(Z3, Z7, Z25, Y3, X3, (AX)(BX*1)) \
	ADDQ $4, AX

// The same single-token kernels reading the weight scales as fp16, as the
// GGUF blocks hold them (Matrix.dh): a decoded token streams every weight
// once, and 2 bytes a block instead of a widened float32's 4 are 10% of a
// Q4_0 matrix's bytes (18 instead of 20 a block) and 6% of a Q8_0 one's.
// VCVTPH2PS widens them exactly.
#define ZSCALESH \
	VCVTPH2PS (R8), X8

// Kernels on repackNibZ's quad records (Q5_0, Q5_1, IQ4_NL; see
// nibz_amd64.go): the same computation as q8RowsZ/q8Quad4Z once the quad's
// weights are rebuilt in Z9 (b0|b1) and Z10 (b2|b3) as the unsigned bytes
// q8's XOR gives from repackInt8's int8 layout. Z14 holds the 64-byte
// constant c (Q5: the bias 112 or 128; IQ4_NL: the table kvalues+128),
// Z13 the fifth bit's 16 in every byte.

// NIBZ splits the 64 nibble bytes at (SI) into Z9 (low) and Z10 (high).
#define NIBZ \
	VMOVDQU64 (SI), Z10 \
	VPANDD    Z15, Z10, Z9 \
	VPSRLW    $4, Z10, Z10 \
	VPANDD    Z15, Z10, Z10

// Q5BITS adds 16 where the qh bit at 64(SI) is set (K1: b0|b1, K2: b2|b3),
// then the bias.
#define Q5BITS \
	KMOVQ  64(SI), K1 \
	KMOVQ  72(SI), K2 \
	VPADDB Z13, Z9, K1, Z9 \
	VPADDB Z13, Z10, K2, Z10 \
	VPADDB Z14, Z9, Z9 \
	VPADDB Z14, Z10, Z10

// IQ4LUT maps the nibbles through the table.
#define IQ4LUT \
	VPSHUFB Z9, Z14, Z9 \
	VPSHUFB Z10, Z14, Z10

#define NIBZSETUP1 \
	MOVQ            wq+0(FP), SI \
	MOVQ            c+8(FP), R8 \
	VMOVDQU64       (R8), Z14 \
	MOVQ            rows+48(FP), BX \
	MOVQ            y+56(FP), AX \
	MOVQ            perm+64(FP), DX \
	VMOVDQU32       (DX), Z20 \
	VMOVDQU32       64(DX), Z21 \
	VBROADCASTI64X4 nibmaskz<>(SB), Z15 \
	VBROADCASTI64X4 fifthbitz<>(SB), Z13

#define NIBZSETUP4 \
	MOVQ            wq+0(FP), SI \
	MOVQ            c+8(FP), R8 \
	VMOVDQU64       (R8), Z14 \
	MOVQ            xstride+56(FP), R11 \
	MOVQ            sstride+64(FP), R13 \
	MOVQ            y+72(FP), AX \
	MOVQ            ystride+80(FP), DX \
	MOVQ            perm+88(FP), BX \
	VMOVDQU32       (BX), Z20 \
	VMOVDQU32       64(BX), Z21 \
	LEAQ            (R11)(R11*2), R12 \
	LEAQ            (R13)(R13*2), R14 \
	VBROADCASTI64X4 nibmaskz<>(SB), Z15 \
	VBROADCASTI64X4 fifthbitz<>(SB), Z13

// func q4Quad4Z(wq *byte, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int, perm *int32)
// Token t's quants (pair order) at xq + t*xstride, its xs4 and xk4 at
// + t*sstride (bytes), its outputs at y + t*ystride (bytes).
TEXT ·q4Quad4Z(SB), NOSPLIT, $0-96
	ZSETUP
	VBROADCASTI64X4 nibmaskz<>(SB), Z15

q4zrow:
	ZROWSTART

q4zloop:
	VMOVDQU64 (SI), Z10
	VPANDD    Z15, Z10, Z9
	VPSRLW    $4, Z10, Z10
	VPANDD    Z15, Z10, Z10
	ZSCALES
	ZTOKENS
	ADDQ      $64, SI
	ADDQ      $128, DI
	ADDQ      $16, R8
	ADDQ      $32, R9
	ADDQ      $32, R10
	DECQ      CX
	JNZ       q4zloop

	ZROWEND
	DECQ rows+48(FP)
	JNZ  q4zrow
	VZEROUPPER
	RET

// func q8Quad4Z(wq *int8, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int, perm *int32)
// As q4Quad4Z; the signed weights become q+128 (XOR of the sign bit).
TEXT ·q8Quad4Z(SB), NOSPLIT, $0-96
	ZSETUP
	VBROADCASTI64X4 signbitz<>(SB), Z15

q8zrow:
	ZROWSTART

q8zloop:
	VPXORD (SI), Z15, Z9
	VPXORD 64(SI), Z15, Z10
	ZSCALES
	ZTOKENS
	ADDQ   $128, SI
	ADDQ   $128, DI
	ADDQ   $16, R8
	ADDQ   $32, R9
	ADDQ   $32, R10
	DECQ   CX
	JNZ    q8zloop

	ZROWEND
	DECQ rows+48(FP)
	JNZ  q8zrow
	VZEROUPPER
	RET

DATA nibmaskz<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibmaskz<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibmaskz<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibmaskz<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL nibmaskz<>(SB), RODATA|NOPTR, $32

DATA signbitz<>+0(SB)/8, $0x8080808080808080
DATA signbitz<>+8(SB)/8, $0x8080808080808080
DATA signbitz<>+16(SB)/8, $0x8080808080808080
DATA signbitz<>+24(SB)/8, $0x8080808080808080
GLOBL signbitz<>(SB), RODATA|NOPTR, $32

// One-token ZMM kernels for decode, the same computation as the four-token
// ones for a single token (registers: Z0/Z1 pair A/B accumulators, X2 the
// offset correction). Weights are streamed from memory once per token, so
// software prefetches run 2 KiB ahead.
#define ZROW1START \
	MOVQ   xq+16(FP), DI \
	MOVQ   xs4+24(FP), R9 \
	MOVQ   xk4+32(FP), R10 \
	MOVQ   nquads+40(FP), CX \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2

#define ZROW1END \
	REDUCEZ(Z0, Z1, Z2, Y0, X0, (AX)) \
	ADDQ $4, AX

// func q4RowsZ(wq *byte, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)
TEXT ·q4RowsZ(SB), NOSPLIT, $0-72
	MOVQ            wq+0(FP), SI
	MOVQ            wd+8(FP), R8
	MOVQ            rows+48(FP), BX
	MOVQ            y+56(FP), AX
	MOVQ            perm+64(FP), DX
	VMOVDQU32       (DX), Z20
	VMOVDQU32       64(DX), Z21
	VBROADCASTI64X4 nibmaskz<>(SB), Z15

q4z1row:
	ZROW1START

q4z1loop:
	PREFETCHT0 4096(SI)
	VMOVDQU64  (SI), Z10
	VPANDD     Z15, Z10, Z9
	VPSRLW     $4, Z10, Z10
	VPANDD     Z15, Z10, Z10
	ZSCALES
	ZTOK((DI), 64(DI), (R9), (R10), Z0, Z1, X2)
	ADDQ       $64, SI
	ADDQ       $128, DI
	ADDQ       $16, R8
	ADDQ       $32, R9
	ADDQ       $32, R10
	DECQ       CX
	JNZ        q4z1loop

	ZROW1END
	DECQ BX
	JNZ  q4z1row
	VZEROUPPER
	RET

// func q8RowsZ(wq *int8, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)
TEXT ·q8RowsZ(SB), NOSPLIT, $0-72
	MOVQ            wq+0(FP), SI
	MOVQ            wd+8(FP), R8
	MOVQ            rows+48(FP), BX
	MOVQ            y+56(FP), AX
	MOVQ            perm+64(FP), DX
	VMOVDQU32       (DX), Z20
	VMOVDQU32       64(DX), Z21
	VBROADCASTI64X4 signbitz<>(SB), Z15

q8z1row:
	ZROW1START

q8z1loop:
	PREFETCHT0 4096(SI)
	PREFETCHT0 4160(SI)
	VPXORD     (SI), Z15, Z9
	VPXORD     64(SI), Z15, Z10
	ZSCALES
	ZTOK((DI), 64(DI), (R9), (R10), Z0, Z1, X2)
	ADDQ       $128, SI
	ADDQ       $128, DI
	ADDQ       $16, R8
	ADDQ       $32, R9
	ADDQ       $32, R10
	DECQ       CX
	JNZ        q8z1loop

	ZROW1END
	DECQ BX
	JNZ  q8z1row
	VZEROUPPER
	RET

// func q4RowsZH(wq *byte, wd *uint16, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)
// The high nibbles are masked in place (Z14), 16 times their value: xs4
// and xk4 are the acts' xs4h and xk4h, which undo it exactly.
TEXT ·q4RowsZH(SB), NOSPLIT, $0-72
	MOVQ            wq+0(FP), SI
	MOVQ            wd+8(FP), R8
	MOVQ            rows+48(FP), BX
	MOVQ            y+56(FP), AX
	MOVQ            perm+64(FP), DX
	VMOVDQU32       (DX), Z20
	VMOVDQU32       64(DX), Z21
	VBROADCASTI64X4 nibmaskz<>(SB), Z15
	VBROADCASTI64X4 highmaskz<>(SB), Z14

q4zhrow:
	ZROW1START

q4zhloop:
	PREFETCHT0 4096(SI)
	VPANDD     (SI), Z15, Z9
	VPANDD     (SI), Z14, Z10
	ZSCALESH
	ZTOK((DI), 64(DI), (R9), (R10), Z0, Z1, X2)
	ADDQ       $64, SI
	ADDQ       $128, DI
	ADDQ       $8, R8
	ADDQ       $32, R9
	ADDQ       $32, R10
	DECQ       CX
	JNZ        q4zhloop

	ZROW1END
	DECQ BX
	JNZ  q4zhrow
	VZEROUPPER
	RET

// func q8RowsZH(wq *int8, wd *uint16, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)
TEXT ·q8RowsZH(SB), NOSPLIT, $0-72
	MOVQ            wq+0(FP), SI
	MOVQ            wd+8(FP), R8
	MOVQ            rows+48(FP), BX
	MOVQ            y+56(FP), AX
	MOVQ            perm+64(FP), DX
	VMOVDQU32       (DX), Z20
	VMOVDQU32       64(DX), Z21
	VBROADCASTI64X4 signbitz<>(SB), Z15

q8zhrow:
	ZROW1START

q8zhloop:
	PREFETCHT0 4096(SI)
	PREFETCHT0 4160(SI)
	VPXORD     (SI), Z15, Z9
	VPXORD     64(SI), Z15, Z10
	ZSCALESH
	ZTOK((DI), 64(DI), (R9), (R10), Z0, Z1, X2)
	ADDQ       $128, SI
	ADDQ       $128, DI
	ADDQ       $8, R8
	ADDQ       $32, R9
	ADDQ       $32, R10
	DECQ       CX
	JNZ        q8zhloop

	ZROW1END
	DECQ BX
	JNZ  q8zhrow
	VZEROUPPER
	RET

// func q5RowsZ(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)
TEXT ·q5RowsZ(SB), NOSPLIT, $0-72
	NIBZSETUP1

q5z1row:
	ZROW1START

q5z1loop:
	PREFETCHT0 4096(SI)
	PREFETCHT0 4160(SI)
	NIBZ
	Q5BITS
	VCVTPH2PS  80(SI), X8
	ZTOK((DI), 64(DI), (R9), (R10), Z0, Z1, X2)
	ADDQ       $88, SI
	ADDQ       $128, DI
	ADDQ       $32, R9
	ADDQ       $32, R10
	DECQ       CX
	JNZ        q5z1loop

	ZROW1END
	DECQ BX
	JNZ  q5z1row
	VZEROUPPER
	RET

// func iq4RowsZ(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)
TEXT ·iq4RowsZ(SB), NOSPLIT, $0-72
	NIBZSETUP1

iq4z1row:
	ZROW1START

iq4z1loop:
	PREFETCHT0 4096(SI)
	PREFETCHT0 4160(SI)
	NIBZ
	IQ4LUT
	VCVTPH2PS  64(SI), X8
	ZTOK((DI), 64(DI), (R9), (R10), Z0, Z1, X2)
	ADDQ       $72, SI
	ADDQ       $128, DI
	ADDQ       $32, R9
	ADDQ       $32, R10
	DECQ       CX
	JNZ        iq4z1loop

	ZROW1END
	DECQ BX
	JNZ  iq4z1row
	VZEROUPPER
	RET

// func q5Quad4Z(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int, perm *int32)
TEXT ·q5Quad4Z(SB), NOSPLIT, $0-96
	NIBZSETUP4

q5z4row:
	ZROWSTART

q5z4loop:
	NIBZ
	Q5BITS
	VCVTPH2PS 80(SI), X8
	ZTOKENS
	ADDQ      $88, SI
	ADDQ      $128, DI
	ADDQ      $32, R9
	ADDQ      $32, R10
	DECQ      CX
	JNZ       q5z4loop

	ZROWEND
	DECQ rows+48(FP)
	JNZ  q5z4row
	VZEROUPPER
	RET

// func iq4Quad4Z(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int, perm *int32)
TEXT ·iq4Quad4Z(SB), NOSPLIT, $0-96
	NIBZSETUP4

iq4z4row:
	ZROWSTART

iq4z4loop:
	NIBZ
	IQ4LUT
	VCVTPH2PS 64(SI), X8
	ZTOKENS
	ADDQ      $72, SI
	ADDQ      $128, DI
	ADDQ      $32, R9
	ADDQ      $32, R10
	DECQ      CX
	JNZ       iq4z4loop

	ZROWEND
	DECQ rows+48(FP)
	JNZ  iq4z4row
	VZEROUPPER
	RET

// func iq4xRowsZ(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)
// iq4RowsZ on IQ4_XS's records: float32 scales at 64(SI), 80 bytes a quad.
TEXT ·iq4xRowsZ(SB), NOSPLIT, $0-72
	NIBZSETUP1

iq4xz1row:
	ZROW1START

iq4xz1loop:
	PREFETCHT0 4096(SI)
	PREFETCHT0 4160(SI)
	NIBZ
	IQ4LUT
	VMOVUPS    64(SI), X8
	ZTOK((DI), 64(DI), (R9), (R10), Z0, Z1, X2)
	ADDQ       $80, SI
	ADDQ       $128, DI
	ADDQ       $32, R9
	ADDQ       $32, R10
	DECQ       CX
	JNZ        iq4xz1loop

	ZROW1END
	DECQ BX
	JNZ  iq4xz1row
	VZEROUPPER
	RET

// func iq4xQuad4Z(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int, perm *int32)
TEXT ·iq4xQuad4Z(SB), NOSPLIT, $0-96
	NIBZSETUP4

iq4xz4row:
	ZROWSTART

iq4xz4loop:
	NIBZ
	IQ4LUT
	VMOVUPS 64(SI), X8
	ZTOKENS
	ADDQ    $80, SI
	ADDQ    $128, DI
	ADDQ    $32, R9
	ADDQ    $32, R10
	DECQ    CX
	JNZ     iq4xz4loop

	ZROWEND
	DECQ rows+48(FP)
	JNZ  iq4xz4row
	VZEROUPPER
	RET

DATA fifthbitz<>+0(SB)/8, $0x1010101010101010
DATA fifthbitz<>+8(SB)/8, $0x1010101010101010
DATA fifthbitz<>+16(SB)/8, $0x1010101010101010
DATA fifthbitz<>+24(SB)/8, $0x1010101010101010
GLOBL fifthbitz<>(SB), RODATA|NOPTR, $32

DATA highmaskz<>+0(SB)/8, $0xf0f0f0f0f0f0f0f0
DATA highmaskz<>+8(SB)/8, $0xf0f0f0f0f0f0f0f0
DATA highmaskz<>+16(SB)/8, $0xf0f0f0f0f0f0f0f0
DATA highmaskz<>+24(SB)/8, $0xf0f0f0f0f0f0f0f0
GLOBL highmaskz<>(SB), RODATA|NOPTR, $32
