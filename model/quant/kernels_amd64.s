//go:build amd64 && !purego

#include "textflag.h"

// AVX2 kernels. The integer dots use the usual x86 int8 idiom: VPMADDUBSW
// multiplies unsigned by signed bytes, so the weight's sign is moved onto
// the activation (VPSIGNB) and its magnitude (VPABSB) is the unsigned
// operand; |w| <= 128 and |x| <= 127 keep every pair sum below 2^15, so the
// int16 stage never saturates and each block's sum is exact. VPMADDWD by ones
// widens to int32, the block sum becomes float and is scaled by wd*xd.

DATA ones16<>+0(SB)/8, $0x0001000100010001
DATA ones16<>+8(SB)/8, $0x0001000100010001
DATA ones16<>+16(SB)/8, $0x0001000100010001
DATA ones16<>+24(SB)/8, $0x0001000100010001
GLOBL ones16<>(SB), RODATA|NOPTR, $32

DATA nibmask<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibmask<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibmask<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibmask<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL nibmask<>(SB), RODATA|NOPTR, $32

DATA eights<>+0(SB)/8, $0x0808080808080808
DATA eights<>+8(SB)/8, $0x0808080808080808
DATA eights<>+16(SB)/8, $0x0808080808080808
DATA eights<>+24(SB)/8, $0x0808080808080808
GLOBL eights<>(SB), RODATA|NOPTR, $32

// hsum reduces Y0+Y1 to a float in X0.
#define HSUM \
	VADDPS Y1, Y0, Y0 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS X1, X0, X0 \
	VHADDPS X0, X0, X0 \
	VHADDPS X0, X0, X0

// BLOCK8 accumulates one Q8_0 block: w at wa, x at xa, scales at sa, ta,
// into accumulator acc (uses Y2-Y5).
#define BLOCK8(wa, xa, sa, ta, acc) \
	VMOVDQU wa, Y2 \
	VMOVDQU xa, Y3 \
	VPSIGNB Y2, Y3, Y3 \
	VPABSB Y2, Y2 \
	VPMADDUBSW Y3, Y2, Y4 \
	VPMADDWD Y15, Y4, Y4 \
	VCVTDQ2PS Y4, Y4 \
	VMOVSS sa, X5 \
	VMULSS ta, X5, X5 \
	VBROADCASTSS X5, Y5 \
	VFMADD231PS Y4, Y5, acc

// func dotQ8_0AVX2(wq *int8, wd *float32, xq *int8, xd *float32, nb int) float32
TEXT ·dotQ8_0AVX2(SB), NOSPLIT, $0-44
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), R9
	MOVQ nb+32(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VMOVDQU ones16<>(SB), Y15

q8loop:
	CMPQ CX, $2
	JLT  q8tail
	BLOCK8((SI), (DI), (R8), (R9), Y0)
	BLOCK8(32(SI), 32(DI), 4(R8), 4(R9), Y1)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $8, R8
	ADDQ $8, R9
	SUBQ $2, CX
	JMP  q8loop

q8tail:
	CMPQ CX, $0
	JE   q8done
	BLOCK8((SI), (DI), (R8), (R9), Y0)

q8done:
	HSUM
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

// BLOCK4 accumulates one Q4_0 block whose quants-8 are in Y2 (clobbered).
#define BLOCK4(xa, sa, ta, acc) \
	VMOVDQU xa, Y3 \
	VPSIGNB Y2, Y3, Y3 \
	VPABSB Y2, Y2 \
	VPMADDUBSW Y3, Y2, Y4 \
	VPMADDWD Y15, Y4, Y4 \
	VCVTDQ2PS Y4, Y4 \
	VMOVSS sa, X5 \
	VMULSS ta, X5, X5 \
	VBROADCASTSS X5, Y5 \
	VFMADD231PS Y4, Y5, acc

// func dotQ4_0PairsAVX2(wq *byte, wd *float32, xq *int8, xd *float32, npairs int) float32
// wq is in the repacked pair layout: each 32 bytes hold block 2p in the low
// nibbles and block 2p+1 in the high nibbles.
TEXT ·dotQ4_0PairsAVX2(SB), NOSPLIT, $0-44
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), R9
	MOVQ npairs+32(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VMOVDQU ones16<>(SB), Y15
	VMOVDQU nibmask<>(SB), Y14
	VMOVDQU eights<>(SB), Y13

q4loop:
	CMPQ CX, $0
	JE   q4done
	VMOVDQU (SI), Y6
	VPAND   Y14, Y6, Y2
	VPSUBB  Y13, Y2, Y2
	BLOCK4((DI), (R8), (R9), Y0)
	VPSRLW  $4, Y6, Y6
	VPAND   Y14, Y6, Y2
	VPSUBB  Y13, Y2, Y2
	BLOCK4(32(DI), 4(R8), 4(R9), Y1)
	ADDQ $32, SI
	ADDQ $64, DI
	ADDQ $8, R8
	ADDQ $8, R9
	DECQ CX
	JMP  q4loop

q4done:
	HSUM
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

// func dotF32AVX2(a, b *float32, n int) float32   (n a multiple of 8)
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

f32loop32:
	CMPQ CX, $32
	JLT  f32loop8
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  f32loop32

f32loop8:
	CMPQ CX, $8
	JLT  f32done
	VMOVUPS (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  f32loop8

f32done:
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	HSUM
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func dotF16AVX2(a *uint16, b *float32, n int) float32   (n a multiple of 8)
// VCVTPH2PS (F16C) widens 8 halves at a time.
TEXT ·dotF16AVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

f16loop32:
	CMPQ CX, $32
	JLT  f16loop8
	VCVTPH2PS (SI), Y4
	VCVTPH2PS 16(SI), Y5
	VCVTPH2PS 32(SI), Y6
	VCVTPH2PS 48(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $64, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  f16loop32

f16loop8:
	CMPQ CX, $8
	JLT  f16done
	VCVTPH2PS (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  f16loop8

f16done:
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	HSUM
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// Four-token kernels for prefill: one pass over a weight row serves four
// tokens, so the weight block is loaded (and its |w| computed) once.
// Token t's quants are at xq + t*xstride bytes and its scales at
// xd + t*dstride bytes; the four dots are stored to out[0..3].

// TOK accumulates one block of one token: signed weights in sgn, their
// magnitudes in ab, the weight scale in wsc (an X register).
#define TOK(xa, sa, sgn, ab, wsc, acc) \
	VMOVDQU xa, Y3 \
	VPSIGNB sgn, Y3, Y3 \
	VPMADDUBSW Y3, ab, Y4 \
	VPMADDWD Y15, Y4, Y4 \
	VCVTDQ2PS Y4, Y4 \
	VMULSS sa, wsc, X5 \
	VBROADCASTSS X5, Y5 \
	VFMADD231PS Y4, Y5, acc

// STORE4 reduces Y0, Y1, Y2, Y12 into out[0..3] (pointer in AX).
#define REDUCE(acc, xacc, off) \
	VEXTRACTF128 $1, acc, X8 \
	VADDPS X8, xacc, xacc \
	VHADDPS xacc, xacc, xacc \
	VHADDPS xacc, xacc, xacc \
	MOVSS xacc, off(AX)

#define STORE4 \
	REDUCE(Y0, X0, 0) \
	REDUCE(Y1, X1, 4) \
	REDUCE(Y2, X2, 8) \
	REDUCE(Y12, X12, 12)

// func dotQ8_0x4AVX2(wq *int8, wd *float32, xq *int8, xd *float32, nb, xstride, dstride int, out *float32)
TEXT ·dotQ8_0x4AVX2(SB), NOSPLIT, $0-64
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), R9
	MOVQ nb+32(FP), CX
	MOVQ xstride+40(FP), R10
	MOVQ dstride+48(FP), R11
	MOVQ out+56(FP), AX
	LEAQ (R10)(R10*2), R12
	LEAQ (R11)(R11*2), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y12, Y12, Y12
	VMOVDQU ones16<>(SB), Y15

q8x4loop:
	CMPQ CX, $0
	JE   q8x4done
	VMOVDQU (SI), Y6
	VPABSB  Y6, Y7
	VMOVSS  (R8), X9
	TOK((DI), (R9), Y6, Y7, X9, Y0)
	TOK((DI)(R10*1), (R9)(R11*1), Y6, Y7, X9, Y1)
	TOK((DI)(R10*2), (R9)(R11*2), Y6, Y7, X9, Y2)
	TOK((DI)(R12*1), (R9)(R13*1), Y6, Y7, X9, Y12)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $4, R8
	ADDQ $4, R9
	DECQ CX
	JMP  q8x4loop

q8x4done:
	STORE4
	VZEROUPPER
	RET

// func dotQ4_0x4PairsAVX2(wq *byte, wd *float32, xq *int8, xd *float32, npairs, xstride, dstride int, out *float32)
TEXT ·dotQ4_0x4PairsAVX2(SB), NOSPLIT, $0-64
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), R9
	MOVQ npairs+32(FP), CX
	MOVQ xstride+40(FP), R10
	MOVQ dstride+48(FP), R11
	MOVQ out+56(FP), AX
	LEAQ (R10)(R10*2), R12
	LEAQ (R11)(R11*2), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y12, Y12, Y12
	VMOVDQU ones16<>(SB), Y15
	VMOVDQU nibmask<>(SB), Y14
	VMOVDQU eights<>(SB), Y13

q4x4loop:
	CMPQ CX, $0
	JE   q4x4done
	VMOVDQU (SI), Y10
	VPAND   Y14, Y10, Y6
	VPSUBB  Y13, Y6, Y6
	VPABSB  Y6, Y7
	VMOVSS  (R8), X9
	TOK((DI), (R9), Y6, Y7, X9, Y0)
	TOK((DI)(R10*1), (R9)(R11*1), Y6, Y7, X9, Y1)
	TOK((DI)(R10*2), (R9)(R11*2), Y6, Y7, X9, Y2)
	TOK((DI)(R12*1), (R9)(R13*1), Y6, Y7, X9, Y12)
	VPSRLW  $4, Y10, Y10
	VPAND   Y14, Y10, Y6
	VPSUBB  Y13, Y6, Y6
	VPABSB  Y6, Y7
	VMOVSS  4(R8), X9
	TOK(32(DI), 4(R9), Y6, Y7, X9, Y0)
	TOK(32(DI)(R10*1), 4(R9)(R11*1), Y6, Y7, X9, Y1)
	TOK(32(DI)(R10*2), 4(R9)(R11*2), Y6, Y7, X9, Y2)
	TOK(32(DI)(R12*1), 4(R9)(R13*1), Y6, Y7, X9, Y12)
	ADDQ $32, SI
	ADDQ $64, DI
	ADDQ $8, R8
	ADDQ $8, R9
	DECQ CX
	JMP  q4x4loop

q4x4done:
	STORE4
	VZEROUPPER
	RET

// func dotF32x4AVX2(a, b *float32, n, stride int, out *float32)   (n a multiple of 8)
// b for token t is at b + t*stride floats.
TEXT ·dotF32x4AVX2(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ stride+24(FP), R10
	MOVQ out+32(FP), AX
	SHLQ $2, R10
	LEAQ (R10)(R10*2), R12
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y12, Y12, Y12

f32x4loop:
	CMPQ CX, $0
	JE   f32x4done
	VMOVUPS (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS (DI)(R10*1), Y4, Y1
	VFMADD231PS (DI)(R10*2), Y4, Y2
	VFMADD231PS (DI)(R12*1), Y4, Y12
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  f32x4loop

f32x4done:
	STORE4
	VZEROUPPER
	RET

// func dotF16x4AVX2(a *uint16, b *float32, n, stride int, out *float32)   (n a multiple of 8)
TEXT ·dotF16x4AVX2(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ stride+24(FP), R10
	MOVQ out+32(FP), AX
	SHLQ $2, R10
	LEAQ (R10)(R10*2), R12
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y12, Y12, Y12

f16x4loop:
	CMPQ CX, $0
	JE   f16x4done
	VCVTPH2PS (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS (DI)(R10*1), Y4, Y1
	VFMADD231PS (DI)(R10*2), Y4, Y2
	VFMADD231PS (DI)(R12*1), Y4, Y12
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  f16x4loop

f16x4done:
	STORE4
	VZEROUPPER
	RET
