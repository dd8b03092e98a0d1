//go:build amd64 && !purego

#include "textflag.h"

// AVX2 kernels (also FMA and F16C; see detectAVX2). The integer dots use
// VPMADDUBSW, which multiplies unsigned by signed bytes into int16 pair sums,
// then VPMADDWD (by ones, or by a scale) into int32:
//   - Q8_0: the weight's sign is moved onto the activation (VPSIGNB) and its
//     magnitude (VPABSB) is the unsigned operand;
//   - Q4_0, Q4_K, Q6_K: the quants are used unsigned (0..15, 0..63) and the
//     offset (-8, -32) is applied once through precomputed activation sums.
// Pair sums stay below 2^15 (128*127*2, 63*127*2), so nothing saturates and
// every block's integer sum is exact, as in ggml; only the float
// accumulation order differs from llama.cpp.

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


DATA kshuf<>+0(SB)/8, $0x0100010001000100
DATA kshuf<>+8(SB)/8, $0x0100010001000100
DATA kshuf<>+16(SB)/8, $0x0100010001000100
DATA kshuf<>+24(SB)/8, $0x0100010001000100
DATA kshuf<>+32(SB)/8, $0x0302030203020302
DATA kshuf<>+40(SB)/8, $0x0302030203020302
DATA kshuf<>+48(SB)/8, $0x0302030203020302
DATA kshuf<>+56(SB)/8, $0x0302030203020302
DATA kshuf<>+64(SB)/8, $0x0504050405040504
DATA kshuf<>+72(SB)/8, $0x0504050405040504
DATA kshuf<>+80(SB)/8, $0x0504050405040504
DATA kshuf<>+88(SB)/8, $0x0504050405040504
DATA kshuf<>+96(SB)/8, $0x0706070607060706
DATA kshuf<>+104(SB)/8, $0x0706070607060706
DATA kshuf<>+112(SB)/8, $0x0706070607060706
DATA kshuf<>+120(SB)/8, $0x0706070607060706
DATA kshuf<>+128(SB)/8, $0x0908090809080908
DATA kshuf<>+136(SB)/8, $0x0908090809080908
DATA kshuf<>+144(SB)/8, $0x0908090809080908
DATA kshuf<>+152(SB)/8, $0x0908090809080908
DATA kshuf<>+160(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA kshuf<>+168(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA kshuf<>+176(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA kshuf<>+184(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA kshuf<>+192(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA kshuf<>+200(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA kshuf<>+208(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA kshuf<>+216(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA kshuf<>+224(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA kshuf<>+232(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA kshuf<>+240(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA kshuf<>+248(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL kshuf<>(SB), RODATA|NOPTR, $256
DATA q6shuf<>+0(SB)/8, $0x0000000000000000
DATA q6shuf<>+8(SB)/8, $0x0101010101010101
DATA q6shuf<>+16(SB)/8, $0x0202020202020202
DATA q6shuf<>+24(SB)/8, $0x0303030303030303
DATA q6shuf<>+32(SB)/8, $0x0404040404040404
DATA q6shuf<>+40(SB)/8, $0x0505050505050505
DATA q6shuf<>+48(SB)/8, $0x0606060606060606
DATA q6shuf<>+56(SB)/8, $0x0707070707070707
DATA q6shuf<>+64(SB)/8, $0x0808080808080808
DATA q6shuf<>+72(SB)/8, $0x0909090909090909
DATA q6shuf<>+80(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA q6shuf<>+88(SB)/8, $0x0b0b0b0b0b0b0b0b
DATA q6shuf<>+96(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA q6shuf<>+104(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA q6shuf<>+112(SB)/8, $0x0e0e0e0e0e0e0e0e
DATA q6shuf<>+120(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL q6shuf<>(SB), RODATA|NOPTR, $128
DATA m03<>+0(SB)/8, $0x0303030303030303
DATA m03<>+8(SB)/8, $0x0303030303030303
DATA m03<>+16(SB)/8, $0x0303030303030303
DATA m03<>+24(SB)/8, $0x0303030303030303
GLOBL m03<>(SB), RODATA|NOPTR, $32
DATA m0c<>+0(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA m0c<>+8(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA m0c<>+16(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA m0c<>+24(SB)/8, $0x0c0c0c0c0c0c0c0c
GLOBL m0c<>(SB), RODATA|NOPTR, $32
DATA m30<>+0(SB)/8, $0x3030303030303030
DATA m30<>+8(SB)/8, $0x3030303030303030
DATA m30<>+16(SB)/8, $0x3030303030303030
DATA m30<>+24(SB)/8, $0x3030303030303030
GLOBL m30<>(SB), RODATA|NOPTR, $32
DATA mc0<>+0(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA mc0<>+8(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA mc0<>+16(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA mc0<>+24(SB)/8, $0xc0c0c0c0c0c0c0c0
GLOBL mc0<>(SB), RODATA|NOPTR, $32

// Q4KPAIR accumulates sub-blocks 2j and 2j+1 into Y1: nibbles at qoff(SI),
// activations at x0(DI) and x1(DI), scale masks at s0, s0+32 of kshuf.
#define Q4KPAIR(qoff, x0, x1, s0, s1) \
	VMOVDQU    qoff(SI), Y2 \
	VPSRLW     $4, Y2, Y3 \
	VPAND      Y15, Y2, Y2 \
	VPAND      Y15, Y3, Y3 \
	VPMADDUBSW x0(DI), Y2, Y2 \
	VPMADDUBSW x1(DI), Y3, Y3 \
	VPSHUFB    kshuf<>+s0(SB), Y8, Y4 \
	VPSHUFB    kshuf<>+s1(SB), Y8, Y5 \
	VPMADDWD   Y4, Y2, Y2 \
	VPMADDWD   Y5, Y3, Y3 \
	VPADDD     Y2, Y1, Y1 \
	VPADDD     Y3, Y1, Y1

// Q6KDOT finishes one 32-quant vector in qv (low nibbles already in qv,
// high bits in hv), multiplies it with the activations at xa, scales it by
// the two sub-block scales picked by q6shuf+moff from X8, adds to Y1.
#define Q6KDOT(qv, xa, moff) \
	VPMADDUBSW xa, qv, qv \
	VPSHUFB    q6shuf<>+moff(SB), X8, X12 \
	VPMOVSXBW  X12, Y12 \
	VPMADDWD   Y12, qv, qv \
	VPADDD     qv, Y1, Y1

// Q6KHALF handles one 128-element half: ql at qlo(SI), qh at qho(SI),
// activations from xo(DI), scale masks from mo.
#define Q6KHALF(qlo, qho, xo, mo) \
	VMOVDQU qho(SI), Y2 \
	VMOVDQU qlo(SI), Y3 \
	VMOVDQU qlo+32(SI), Y4 \
	VPAND   Y15, Y3, Y5 \
	VPAND   m03<>(SB), Y2, Y6 \
	VPSLLW  $4, Y6, Y6 \
	VPOR    Y6, Y5, Y5 \
	Q6KDOT(Y5, xo(DI), mo) \
	VPAND   Y15, Y4, Y5 \
	VPAND   m0c<>(SB), Y2, Y6 \
	VPSLLW  $2, Y6, Y6 \
	VPOR    Y6, Y5, Y5 \
	Q6KDOT(Y5, xo+32(DI), mo+16) \
	VPSRLW  $4, Y3, Y5 \
	VPAND   Y15, Y5, Y5 \
	VPAND   m30<>(SB), Y2, Y6 \
	VPOR    Y6, Y5, Y5 \
	Q6KDOT(Y5, xo+64(DI), mo+32) \
	VPSRLW  $4, Y4, Y5 \
	VPAND   Y15, Y5, Y5 \
	VPAND   mc0<>(SB), Y2, Y6 \
	VPSRLW  $2, Y6, Y6 \
	VPOR    Y6, Y5, Y5 \
	Q6KDOT(Y5, xo+96(DI), mo+48)

// The Q8_0/Q4_0 kernels work on pairs of 32-element blocks. Each block's 32
// products become 8 int32 lanes (VPMADDUBSW then VPMADDWD by ones); VPHADDD
// folds the two blocks' lanes into one vector laid out [a a b b | a a b b],
// so one int->float conversion and one FMA serve both blocks. The matching
// scales wd[a]*xd[a], wd[b]*xd[b] come from the weights' adjacent float pair
// (VBROADCASTSD, VPERMILPS to a a b b) times the activation's precomputed
// pair-scale vector xs (8 floats per pair, same layout). Block sums stay
// exact integers, as in ggml; only the float accumulation order differs.

// PAIR8 accumulates one pair of Q8_0 blocks of one token. The weights are at
// (SI) (signs) and in Y9/Y10 (magnitudes), the weight scale vector in Y8.
#define PAIR8(xa, xb, sa, acc) \
	VMOVDQU xa, Y4 \
	VPSIGNB (SI), Y4, Y4 \
	VPMADDUBSW Y4, Y9, Y4 \
	VPMADDWD Y15, Y4, Y4 \
	VMOVDQU xb, Y6 \
	VPSIGNB 32(SI), Y6, Y6 \
	VPMADDUBSW Y6, Y10, Y6 \
	VPMADDWD Y15, Y6, Y6 \
	VPHADDD Y6, Y4, Y4 \
	VCVTDQ2PS Y4, Y4 \
	VMULPS sa, Y8, Y5 \
	VFMADD231PS Y4, Y5, acc

// PAIR4 accumulates one pair of Q4_0 blocks of one token: unsigned quants
// (0..15) of the two blocks in Y9/Y10, the activation's -8*sum(x) correction
// vector at ka (lanes of the same [a a b b] layout), scale vector in Y8.
#define PAIR4(xa, xb, ka, sa, acc) \
	VPMADDUBSW xa, Y9, Y4 \
	VPMADDWD Y15, Y4, Y4 \
	VPMADDUBSW xb, Y10, Y6 \
	VPMADDWD Y15, Y6, Y6 \
	VPHADDD Y6, Y4, Y4 \
	VPADDD ka, Y4, Y4 \
	VCVTDQ2PS Y4, Y4 \
	VMULPS sa, Y8, Y5 \
	VFMADD231PS Y4, Y5, acc

// WSCALE loads the weight scale pair at (R8) as [a a b b | a a b b] into Y8.
#define WSCALE \
	VBROADCASTSD (R8), Y8 \
	VPERMILPS $0x50, Y8, Y8

// hsum reduces Y0 to a float in X0.
#define HSUM \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS X1, X0, X0 \
	VHADDPS X0, X0, X0 \
	VHADDPS X0, X0, X0

// The row kernels below loop over consecutive rows (the weight and scale
// streams of a row follow the previous row's), reloading the per-token
// pointers from the arguments at each row, and store one float per row and
// token. Counts are >= 1.

// func q8RowsAVX2(wq *int8, wd *float32, xq *int8, xs *float32, npairs, rows int, y *float32)
TEXT ·q8RowsAVX2(SB), NOSPLIT, $0-56
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ rows+40(FP), BX
	MOVQ y+48(FP), AX
	VMOVDQU ones16<>(SB), Y15

q8row:
	MOVQ xq+16(FP), DI
	MOVQ xs+24(FP), R9
	MOVQ npairs+32(FP), CX
	VXORPS Y0, Y0, Y0

q8loop:
	VPABSB (SI), Y9
	VPABSB 32(SI), Y10
	WSCALE
	PAIR8((DI), 32(DI), (R9), Y0)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $8, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  q8loop

	HSUM
	MOVSS X0, (AX)
	ADDQ  $4, AX
	DECQ  BX
	JNZ   q8row
	VZEROUPPER
	RET

// func q4RowsAVX2(wq *byte, wd *float32, xq *int8, xs *float32, xk *int32, npairs, rows int, y *float32)
// wq is in the repacked pair layout: each 32 bytes hold block 2p in the low
// nibbles and block 2p+1 in the high nibbles.
TEXT ·q4RowsAVX2(SB), NOSPLIT, $0-64
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ rows+48(FP), BX
	MOVQ y+56(FP), AX
	VMOVDQU ones16<>(SB), Y15
	VMOVDQU nibmask<>(SB), Y14

q4row:
	MOVQ xq+16(FP), DI
	MOVQ xs+24(FP), R9
	MOVQ xk+32(FP), R10
	MOVQ npairs+40(FP), CX
	VXORPS Y0, Y0, Y0

q4loop:
	VMOVDQU (SI), Y10
	VPAND   Y14, Y10, Y9
	VPSRLW  $4, Y10, Y10
	VPAND   Y14, Y10, Y10
	WSCALE
	PAIR4((DI), 32(DI), (R10), (R9), Y0)
	ADDQ $32, SI
	ADDQ $64, DI
	ADDQ $8, R8
	ADDQ $32, R9
	ADDQ $32, R10
	DECQ CX
	JNZ  q4loop

	HSUM
	MOVSS X0, (AX)
	ADDQ  $4, AX
	DECQ  BX
	JNZ   q4row
	VZEROUPPER
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
	VADDPS Y1, Y0, Y0
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
	VADDPS Y1, Y0, Y0
	HSUM
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// Four-token kernels for prefill: one pass over a weight row serves four
// tokens, so the weight block is loaded (and its |w| computed) once.
// Token t's quants are at xq + t*xstride bytes and its scales at
// xd + t*dstride bytes; the four dots are stored to out[0..3].

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

// STORE4Y reduces Y0..Y3 into y[0], y[ys], y[2ys], y[3ys] (AX = y, DX = ys
// in bytes, BX clobbered).
#define REDUCEY(acc, xacc, addr) \
	VEXTRACTF128 $1, acc, X8 \
	VADDPS X8, xacc, xacc \
	VHADDPS xacc, xacc, xacc \
	VHADDPS xacc, xacc, xacc \
	MOVSS xacc, addr

#define STORE4Y \
	LEAQ (DX)(DX*2), BX \
	REDUCEY(Y0, X0, (AX)) \
	REDUCEY(Y1, X1, (AX)(DX*1)) \
	REDUCEY(Y2, X2, (AX)(DX*2)) \
	REDUCEY(Y3, X3, (AX)(BX*1))

// func q8Rows4AVX2(wq *int8, wd *float32, xq *int8, xs *float32, npairs, rows, xstride, sstride int, y *float32, ystride int)
// Four tokens: token t's quants at xq + t*xstride, pair scales at
// xs + t*sstride (bytes); its outputs at y + t*ystride (bytes).
TEXT ·q8Rows4AVX2(SB), NOSPLIT, $0-80
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ xstride+48(FP), R11
	MOVQ sstride+56(FP), R13
	MOVQ y+64(FP), AX
	MOVQ ystride+72(FP), DX
	LEAQ (R11)(R11*2), R12
	LEAQ (R13)(R13*2), R14
	VMOVDQU ones16<>(SB), Y15

q8x4row:
	MOVQ xq+16(FP), DI
	MOVQ xs+24(FP), R9
	MOVQ npairs+32(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

q8x4loop:
	VPABSB (SI), Y9
	VPABSB 32(SI), Y10
	WSCALE
	PAIR8((DI), 32(DI), (R9), Y0)
	PAIR8((DI)(R11*1), 32(DI)(R11*1), (R9)(R13*1), Y1)
	PAIR8((DI)(R11*2), 32(DI)(R11*2), (R9)(R13*2), Y2)
	PAIR8((DI)(R12*1), 32(DI)(R12*1), (R9)(R14*1), Y3)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $8, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  q8x4loop

	STORE4Y
	ADDQ $4, AX
	DECQ rows+40(FP)
	JNZ  q8x4row
	VZEROUPPER
	RET

// func q4Rows4AVX2(wq *byte, wd *float32, xq *int8, xs *float32, xk *int32, npairs, rows, xstride, sstride int, y *float32, ystride int)
// As q8Rows4AVX2; xk has the same stride as xs.
TEXT ·q4Rows4AVX2(SB), NOSPLIT, $0-88
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ xstride+56(FP), R11
	MOVQ sstride+64(FP), R13
	MOVQ y+72(FP), AX
	MOVQ ystride+80(FP), DX
	LEAQ (R11)(R11*2), R12
	LEAQ (R13)(R13*2), R14
	VMOVDQU ones16<>(SB), Y15
	VMOVDQU nibmask<>(SB), Y14

q4x4row:
	MOVQ xq+16(FP), DI
	MOVQ xs+24(FP), R9
	MOVQ xk+32(FP), R10
	MOVQ npairs+40(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

q4x4loop:
	VMOVDQU (SI), Y10
	VPAND   Y14, Y10, Y9
	VPSRLW  $4, Y10, Y10
	VPAND   Y14, Y10, Y10
	WSCALE
	PAIR4((DI), 32(DI), (R10), (R9), Y0)
	PAIR4((DI)(R11*1), 32(DI)(R11*1), (R10)(R13*1), (R9)(R13*1), Y1)
	PAIR4((DI)(R11*2), 32(DI)(R11*2), (R10)(R13*2), (R9)(R13*2), Y2)
	PAIR4((DI)(R12*1), 32(DI)(R12*1), (R10)(R14*1), (R9)(R14*1), Y3)
	ADDQ $32, SI
	ADDQ $64, DI
	ADDQ $8, R8
	ADDQ $32, R9
	ADDQ $32, R10
	DECQ CX
	JNZ  q4x4loop

	STORE4Y
	ADDQ $4, AX
	DECQ rows+48(FP)
	JNZ  q4x4row
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

// K-quant kernels (Q8_K activations). One super-block is 256 elements.
//
// Q4_K uses a repacked block of 144 bytes, [8 scales][8 mins][128 nibble
// bytes], with d and dmin as floats in a separate stream (see repackQ4K).
// Each 32-byte nibble group holds sub-blocks 2j (low) and 2j+1 (high);
// VPMADDUBSW gives 16 int16 pair sums per sub-block and VPMADDWD by the
// sub-block's 6-bit scale, broadcast to all words by VPSHUFB, widens them to
// int32 already scaled, so a super-block's sum stays one exact int32 vector,
// as in ggml. The mins term is sum(m[j] * bsum pairs), one VPMADDWD. Each
// super-block's two terms go into the float accumulator in the same order
// as the four-token kernels' Q4KFIN (isum·(xd·d), then −msum·(xd·dmin)),
// so a token's result does not depend on the size of its batch.

// func q4KRowsAVX2(w *byte, wd *float32, xq *int8, xd *float32, xb *int16, nsb, rows int, y *float32)
TEXT ·q4KRowsAVX2(SB), NOSPLIT, $0-64
	MOVQ w+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ rows+48(FP), BX
	MOVQ y+56(FP), AX
	VMOVDQU nibmask<>(SB), Y15

q4krow:
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), R9
	MOVQ xb+32(FP), R10
	MOVQ nsb+40(FP), CX
	VXORPS Y0, Y0, Y0

q4kloop:
	PREFETCHT0  2048(SI)
	PREFETCHT0  2112(SI)
	PREFETCHT0  2176(SI)
	VPMOVZXBW   (SI), X8
	VINSERTI128 $1, X8, Y8, Y8
	VPMOVZXBW   8(SI), X9
	VPXOR       Y1, Y1, Y1
	Q4KPAIR(16, 0, 32, 0, 32)
	Q4KPAIR(48, 64, 96, 64, 96)
	Q4KPAIR(80, 128, 160, 128, 160)
	Q4KPAIR(112, 192, 224, 192, 224)
	VCVTDQ2PS    Y1, Y1
	VMOVSS       (R9), X6
	VMULSS       (R8), X6, X7
	VBROADCASTSS X7, Y7
	VFMADD231PS  Y1, Y7, Y0
	VPMADDWD     (R10), X9, X10
	VCVTDQ2PS    Y10, Y10
	VMULSS       4(R8), X6, X7
	VBROADCASTSS X7, Y7
	VFNMADD231PS Y10, Y7, Y0
	ADDQ $144, SI
	ADDQ $8, R8
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $16, R10
	DECQ CX
	JNZ  q4kloop

	VEXTRACTF128 $1, Y0, X1
	VADDPS  X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	MOVSS   X0, (AX)
	ADDQ    $4, AX
	DECQ    BX
	JNZ     q4krow
	VZEROUPPER
	RET

// Q6_K keeps ggml's block (ql 128, qh 64, int8 scales 16, fp16 d) with d
// also in a float stream. The 6-bit quants are assembled unsigned (0..63)
// from ql nibbles and qh bit pairs; the -32 offset is applied once per
// super-block as -32 * sum(scale * bsum) over the 16 sub-blocks.

// func q6KRowsAVX2(w *byte, wd *float32, xq *int8, xd *float32, xb *int16, nsb, rows int, y *float32)
TEXT ·q6KRowsAVX2(SB), NOSPLIT, $0-64
	MOVQ w+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ rows+48(FP), BX
	MOVQ y+56(FP), AX
	VMOVDQU nibmask<>(SB), Y15

q6krow:
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), R9
	MOVQ xb+32(FP), R10
	MOVQ nsb+40(FP), CX
	VXORPS Y0, Y0, Y0

q6kloop:
	VPXOR   Y1, Y1, Y1
	VMOVDQU 192(SI), X8
	Q6KHALF(0, 128, 0, 0)
	Q6KHALF(64, 160, 128, 64)
	VPMOVSXBW X8, Y9
	VPMADDWD  (R10), Y9, Y10
	VPSLLD    $5, Y10, Y10
	VPSUBD    Y10, Y1, Y1
	VCVTDQ2PS Y1, Y1
	VMOVSS    (R9), X6
	VMULSS    (R8), X6, X7
	VBROADCASTSS X7, Y7
	VFMADD231PS  Y1, Y7, Y0
	ADDQ $210, SI
	ADDQ $4, R8
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $32, R10
	DECQ CX
	JNZ  q6kloop

	HSUM
	MOVSS X0, (AX)
	ADDQ  $4, AX
	DECQ  BX
	JNZ   q6krow
	VZEROUPPER
	RET

// func dotBF16AVX2(a *uint16, b *float32, n int) float32   (n a multiple of 8)
// bf16 -> f32 is a zero-extension to 32 bits and a 16-bit left shift.
TEXT ·dotBF16AVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1

bf16loop16:
	CMPQ CX, $16
	JLT  bf16loop8
	VPMOVZXWD (SI), Y4
	VPMOVZXWD 16(SI), Y5
	VPSLLD    $16, Y4, Y4
	VPSLLD    $16, Y5, Y5
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  bf16loop16

bf16loop8:
	CMPQ CX, $8
	JLT  bf16done
	VPMOVZXWD (SI), Y4
	VPSLLD    $16, Y4, Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  bf16loop8

bf16done:
	VADDPS Y1, Y0, Y0
	HSUM
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// Q4KTOK adds token t's products with the current sub-block pair (nibbles
// in Y8/Y9, broadcast scales in Y10/Y11) to its int32 accumulator.
#define Q4KTOK(xa, xb, iacc) \
	VPMADDUBSW xa, Y8, Y13 \
	VPMADDUBSW xb, Y9, Y14 \
	VPMADDWD   Y10, Y13, Y13 \
	VPMADDWD   Y11, Y14, Y14 \
	VPADDD     Y13, iacc, iacc \
	VPADDD     Y14, iacc, iacc

#define Q4KPAIR4(qoff, x0, x1, s0, s1) \
	VMOVDQU qoff(SI), Y8 \
	VPSRLW  $4, Y8, Y9 \
	VPAND   Y15, Y8, Y8 \
	VPAND   Y15, Y9, Y9 \
	VPSHUFB kshuf<>+s0(SB), Y12, Y10 \
	VPSHUFB kshuf<>+s1(SB), Y12, Y11 \
	Q4KTOK(x0(DI), x1(DI), Y4) \
	Q4KTOK(x0(DI)(R11*1), x1(DI)(R11*1), Y5) \
	Q4KTOK(x0(DI)(R11*2), x1(DI)(R11*2), Y6) \
	Q4KTOK(x0(DI)(R12*1), x1(DI)(R12*1), Y7)

// Q4KFIN folds one token's super-block sums into its float accumulator:
// acc += isum*(xd*d) - msum*(xd*dmin); iacc is cleared.
#define Q4KFIN(xda, xba, iacc, acc) \
	VCVTDQ2PS    iacc, iacc \
	VMOVSS       xda, X13 \
	VMULSS       (R8), X13, X14 \
	VBROADCASTSS X14, Y14 \
	VFMADD231PS  iacc, Y14, acc \
	VPMOVZXBW    8(SI), X14 \
	VPMADDWD     xba, X14, X14 \
	VCVTDQ2PS    Y14, Y14 \
	VMULSS       4(R8), X13, X13 \
	VBROADCASTSS X13, Y13 \
	VFNMADD231PS Y14, Y13, acc \
	VPXOR        iacc, iacc, iacc

// func q4KRows4AVX2(w *byte, wd *float32, xq *int8, xd *float32, xb *int16, nsb, rows, xstride, dstride int, y *float32, ystride int)
// Four tokens per pass over the weights: token t's quants at xq + t*xstride,
// its scales at xd + t*dstride and its bsum pairs at xb + 4*t*dstride
// (bytes); its outputs at y + t*ystride.
TEXT ·q4KRows4AVX2(SB), NOSPLIT, $0-88
	MOVQ w+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ xstride+56(FP), R11
	MOVQ dstride+64(FP), R13
	MOVQ y+72(FP), AX
	MOVQ ystride+80(FP), DX
	LEAQ (R11)(R11*2), R12
	LEAQ (R13)(R13*2), R14
	VMOVDQU nibmask<>(SB), Y15

q4kx4row:
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), R9
	MOVQ xb+32(FP), R10
	MOVQ nsb+40(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VPXOR  Y4, Y4, Y4
	VPXOR  Y5, Y5, Y5
	VPXOR  Y6, Y6, Y6
	VPXOR  Y7, Y7, Y7

q4kx4loop:
	VPMOVZXBW   (SI), X12
	VINSERTI128 $1, X12, Y12, Y12
	Q4KPAIR4(16, 0, 32, 0, 32)
	Q4KPAIR4(48, 64, 96, 64, 96)
	Q4KPAIR4(80, 128, 160, 128, 160)
	Q4KPAIR4(112, 192, 224, 192, 224)
	Q4KFIN((R9), (R10), Y4, Y0)
	Q4KFIN((R9)(R13*1), (R10)(R13*4), Y5, Y1)
	Q4KFIN((R9)(R13*2), (R10)(R13*8), Y6, Y2)
	Q4KFIN((R9)(R14*1), (R10)(R14*4), Y7, Y3)
	ADDQ $144, SI
	ADDQ $8, R8
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $16, R10
	DECQ CX
	JNZ  q4kx4loop

	STORE4Y
	ADDQ $4, AX
	DECQ rows+48(FP)
	JNZ  q4kx4row
	VZEROUPPER
	RET

DATA ones8<>+0(SB)/8, $0x0101010101010101
DATA ones8<>+8(SB)/8, $0x0101010101010101
DATA ones8<>+16(SB)/8, $0x0101010101010101
DATA ones8<>+24(SB)/8, $0x0101010101010101
GLOBL ones8<>(SB), RODATA|NOPTR, $32

// Q5KPAIR is Q4KPAIR plus the fifth bits: bit 2j (low sub-block) and 2j+1
// (high) of each qh byte, held in Y13, become 16 added to the nibble.
#define Q5KPAIR(qoff, x0, x1, s0, s1, b0, b1) \
	VMOVDQU    qoff(SI), Y2 \
	VPSRLW     $4, Y2, Y3 \
	VPAND      Y15, Y2, Y2 \
	VPAND      Y15, Y3, Y3 \
	VPSRLW     $b0, Y13, Y4 \
	VPSRLW     $b1, Y13, Y5 \
	VPAND      Y14, Y4, Y4 \
	VPAND      Y14, Y5, Y5 \
	VPSLLW     $4, Y4, Y4 \
	VPSLLW     $4, Y5, Y5 \
	VPOR       Y4, Y2, Y2 \
	VPOR       Y5, Y3, Y3 \
	VPMADDUBSW x0(DI), Y2, Y2 \
	VPMADDUBSW x1(DI), Y3, Y3 \
	VPSHUFB    kshuf<>+s0(SB), Y8, Y4 \
	VPSHUFB    kshuf<>+s1(SB), Y8, Y5 \
	VPMADDWD   Y4, Y2, Y2 \
	VPMADDWD   Y5, Y3, Y3 \
	VPADDD     Y2, Y1, Y1 \
	VPADDD     Y3, Y1, Y1

// func q5KRowsAVX2(w *byte, wd *float32, xq *int8, xd *float32, xb *int16, nsb, rows int, y *float32)
// w is in the repacked Q5_K layout (see repackQ5K): 176-byte blocks
// [8 scales][8 mins][32 qh][128 nibble bytes].
TEXT ·q5KRowsAVX2(SB), NOSPLIT, $0-64
	MOVQ w+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ rows+48(FP), BX
	MOVQ y+56(FP), AX
	VMOVDQU nibmask<>(SB), Y15
	VMOVDQU ones8<>(SB), Y14

q5krow:
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), R9
	MOVQ xb+32(FP), R10
	MOVQ nsb+40(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS X11, X11, X11

q5kloop:
	VPMOVZXBW   (SI), X8
	VINSERTI128 $1, X8, Y8, Y8
	VPMOVZXBW   8(SI), X9
	VMOVDQU     16(SI), Y13
	VPXOR       Y1, Y1, Y1
	Q5KPAIR(48, 0, 32, 0, 32, 0, 1)
	Q5KPAIR(80, 64, 96, 64, 96, 2, 3)
	Q5KPAIR(112, 128, 160, 128, 160, 4, 5)
	Q5KPAIR(144, 192, 224, 192, 224, 6, 7)
	VCVTDQ2PS    Y1, Y1
	VMOVSS       (R9), X6
	VMULSS       (R8), X6, X7
	VBROADCASTSS X7, Y7
	VFMADD231PS  Y1, Y7, Y0
	VPMADDWD     (R10), X9, X10
	VCVTDQ2PS    X10, X10
	VMULSS       4(R8), X6, X7
	VBROADCASTSS X7, X7
	VFMADD231PS  X10, X7, X11
	ADDQ $176, SI
	ADDQ $8, R8
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $16, R10
	DECQ CX
	JNZ  q5kloop

	VEXTRACTF128 $1, Y0, X1
	VADDPS  X1, X0, X0
	VSUBPS  X11, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	MOVSS   X0, (AX)
	ADDQ    $4, AX
	DECQ    BX
	JNZ     q5krow
	VZEROUPPER
	RET

DATA absmask<>+0(SB)/8, $0x7fffffff7fffffff
DATA absmask<>+8(SB)/8, $0x7fffffff7fffffff
DATA absmask<>+16(SB)/8, $0x7fffffff7fffffff
DATA absmask<>+24(SB)/8, $0x7fffffff7fffffff
GLOBL absmask<>(SB), RODATA|NOPTR, $32

DATA c127<>+0(SB)/4, $127.0
GLOBL c127<>(SB), RODATA|NOPTR, $4

DATA packperm<>+0(SB)/4, $0
DATA packperm<>+4(SB)/4, $4
DATA packperm<>+8(SB)/4, $1
DATA packperm<>+12(SB)/4, $5
DATA packperm<>+16(SB)/4, $2
DATA packperm<>+20(SB)/4, $6
DATA packperm<>+24(SB)/4, $3
DATA packperm<>+28(SB)/4, $7
GLOBL packperm<>(SB), RODATA|NOPTR, $32

// func quantQ8_0AVX2(x *float32, qs *int8, ds *float32, sums *int32, nb int)
// Activation quantization to Q8_0 as llama.cpp's x86 quantize_row_q8_0:
// d = amax/127 rounded to fp16 (stored widened), q = round-half-even of
// x*(127/amax) (VCVTPS2DQ under the default MXCSR rounding). sums gets each
// block's sum of quants (used by the Q4_0 kernels).
TEXT ·quantQ8_0AVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ qs+8(FP), DI
	MOVQ ds+16(FP), DX
	MOVQ sums+24(FP), R8
	MOVQ nb+32(FP), CX
	VMOVUPS absmask<>(SB), Y15
	VMOVDQU packperm<>(SB), Y14
	VMOVDQU ones8<>(SB), Y13
	VMOVDQU ones16<>(SB), Y12
	VXORPS  X11, X11, X11
	TESTQ CX, CX
	JE    qadone

qaloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VANDPS  Y15, Y0, Y4
	VANDPS  Y15, Y1, Y5
	VANDPS  Y15, Y2, Y6
	VANDPS  Y15, Y3, Y7
	VMAXPS  Y5, Y4, Y4
	VMAXPS  Y7, Y6, Y6
	VMAXPS  Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VMAXPS  X5, X4, X4
	VMOVHLPS X4, X4, X5
	VMAXPS  X5, X4, X4
	VMOVSHDUP X4, X5
	VMAXSS  X5, X4, X4           // X4 = amax
	VDIVSS  c127<>(SB), X4, X5   // d = amax/127
	VCVTPS2PH $0, X5, X5         // to fp16, round to nearest even
	VCVTPH2PS X5, X5
	MOVSS   X5, (DX)
	VMOVSS  c127<>(SB), X6
	VDIVSS  X4, X6, X6           // id = 127/amax (Inf when amax == 0)
	VCMPSS  $0, X11, X4, X7      // amax == 0 ?
	VANDNPS X6, X7, X6           // then id = 0
	VBROADCASTSS X6, Y6
	VMULPS  Y6, Y0, Y0
	VMULPS  Y6, Y1, Y1
	VMULPS  Y6, Y2, Y2
	VMULPS  Y6, Y3, Y3
	VCVTPS2DQ Y0, Y0
	VCVTPS2DQ Y1, Y1
	VCVTPS2DQ Y2, Y2
	VCVTPS2DQ Y3, Y3
	VPACKSSDW Y1, Y0, Y0
	VPACKSSDW Y3, Y2, Y2
	VPACKSSWB Y2, Y0, Y0
	VPERMD    Y0, Y14, Y0
	VMOVDQU   Y0, (DI)
	VPMADDUBSW Y0, Y13, Y1       // pairwise sums of the quants (1*q)
	VPMADDWD  Y12, Y1, Y1
	VEXTRACTI128 $1, Y1, X2
	VPADDD    X2, X1, X1
	VPSHUFD   $0x4e, X1, X2
	VPADDD    X2, X1, X1
	VPSHUFD   $0xb1, X1, X2
	VPADDD    X2, X1, X1
	MOVSS     X1, (R8)
	ADDQ $128, SI
	ADDQ $32, DI
	ADDQ $4, DX
	ADDQ $4, R8
	DECQ CX
	JNZ  qaloop

qadone:
	VZEROUPPER
	RET

DATA i127<>+0(SB)/4, $127
GLOBL i127<>(SB), RODATA|NOPTR, $4

// func minMaxAVX2(x *float32, n int) (mn, mx float32)   (n a multiple of 32, >= 32)
TEXT ·minMaxAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VMOVUPS (SI), Y0
	VMOVAPS Y0, Y1

mmloop:
	VMOVUPS (SI), Y2
	VMOVUPS 32(SI), Y3
	VMOVUPS 64(SI), Y4
	VMOVUPS 96(SI), Y5
	VMINPS  Y2, Y0, Y0
	VMAXPS  Y2, Y1, Y1
	VMINPS  Y3, Y0, Y0
	VMAXPS  Y3, Y1, Y1
	VMINPS  Y4, Y0, Y0
	VMAXPS  Y4, Y1, Y1
	VMINPS  Y5, Y0, Y0
	VMAXPS  Y5, Y1, Y1
	ADDQ $128, SI
	SUBQ $32, CX
	JNZ  mmloop

	VEXTRACTF128 $1, Y0, X2
	VMINPS  X2, X0, X0
	VMOVHLPS X0, X0, X2
	VMINPS  X2, X0, X0
	VMOVSHDUP X0, X2
	VMINSS  X2, X0, X0
	VEXTRACTF128 $1, Y1, X2
	VMAXPS  X2, X1, X1
	VMOVHLPS X1, X1, X2
	VMAXPS  X2, X1, X1
	VMOVSHDUP X1, X2
	VMAXSS  X2, X1, X1
	VZEROUPPER
	MOVSS X0, mn+16(FP)
	MOVSS X1, mx+20(FP)
	RET

// func quantQ8KAVX2(x *float32, iscale float32, qs *int8, bsums *int16)
// One Q8_K super-block: q = min(127, round-half-even(iscale*x)), and the sum
// of each 16 quants.
TEXT ·quantQ8KAVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	VBROADCASTSS iscale+8(FP), Y15
	MOVQ qs+16(FP), DI
	MOVQ bsums+24(FP), DX
	VPBROADCASTD i127<>(SB), Y14
	VMOVDQU packperm<>(SB), Y13
	VMOVDQU ones8<>(SB), Y12
	VMOVDQU ones16<>(SB), Y11
	MOVQ $8, CX

q8kloop:
	VMULPS  (SI), Y15, Y0
	VMULPS  32(SI), Y15, Y1
	VMULPS  64(SI), Y15, Y2
	VMULPS  96(SI), Y15, Y3
	VCVTPS2DQ Y0, Y0
	VCVTPS2DQ Y1, Y1
	VCVTPS2DQ Y2, Y2
	VCVTPS2DQ Y3, Y3
	VPMINSD Y14, Y0, Y0
	VPMINSD Y14, Y1, Y1
	VPMINSD Y14, Y2, Y2
	VPMINSD Y14, Y3, Y3
	VPACKSSDW Y1, Y0, Y0
	VPACKSSDW Y3, Y2, Y2
	VPACKSSWB Y2, Y0, Y0
	VPERMD    Y0, Y13, Y0
	VMOVDQU   Y0, (DI)
	VPMADDUBSW Y0, Y12, Y1
	VPMADDWD  Y11, Y1, Y1
	VEXTRACTI128 $1, Y1, X2
	VPHADDD   X2, X1, X1
	VPHADDD   X1, X1, X1
	VPACKSSDW X1, X1, X1
	MOVSS     X1, (DX)
	ADDQ $128, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JNZ  q8kloop
	VZEROUPPER
	RET

// func roundFP16AVX2(dst, src *float32, n int)   (n a multiple of 8)
// dst = src rounded to the nearest fp16 (ties to even) and widened back.
TEXT ·roundFP16AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

r16loop:
	VMOVUPS   (SI), Y0
	VCVTPS2PH $0, Y0, X1
	VCVTPH2PS X1, Y1
	VMOVUPS   Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  r16loop
	VZEROUPPER
	RET

// Quad kernels for one token (decode), used when a row has a multiple of 4
// blocks: two VPHADDD rounds fold four blocks' int32 lanes into one vector
// [a b c d | a b c d], so one conversion, one multiply and one FMA serve four
// blocks, and the weight scales load as one 16-byte broadcast. The
// activation's quad-scale vector xs4 is [da db dc dd | da db dc dd] and, for
// Q4_0, xk4 is [-8*sum(qa) .. -8*sum(qd) | 0 0 0 0].

#define Q8BLK(off, dst) \
	VMOVDQU    off(DI), dst \
	VPSIGNB    off(SI), dst, dst \
	VPABSB     off(SI), Y9 \
	VPMADDUBSW dst, Y9, dst \
	VPMADDWD   Y15, dst, dst

#define QUADFIN \
	VPHADDD      Y5, Y4, Y4 \
	VPHADDD      Y7, Y6, Y6 \
	VPHADDD      Y6, Y4, Y4

#define QUADSCALE \
	VCVTDQ2PS      Y4, Y4 \
	VBROADCASTF128 (R8), Y8 \
	VMULPS         (R9), Y8, Y8 \
	VFMADD231PS    Y4, Y8, Y0

// func q8QuadRowsAVX2(wq *int8, wd *float32, xq *int8, xs4 *float32, nquads, rows int, y *float32)
TEXT ·q8QuadRowsAVX2(SB), NOSPLIT, $0-56
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ rows+40(FP), BX
	MOVQ y+48(FP), AX
	VMOVDQU ones16<>(SB), Y15

q8qrow:
	MOVQ xq+16(FP), DI
	MOVQ xs4+24(FP), R9
	MOVQ nquads+32(FP), CX
	VXORPS Y0, Y0, Y0

q8qloop:
	Q8BLK(0, Y4)
	Q8BLK(32, Y5)
	Q8BLK(64, Y6)
	Q8BLK(96, Y7)
	QUADFIN
	QUADSCALE
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $16, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  q8qloop

	HSUM
	MOVSS X0, (AX)
	ADDQ  $4, AX
	DECQ  BX
	JNZ   q8qrow
	VZEROUPPER
	RET

#define Q4PAIRQ(woff, xoff, lo, hi) \
	VMOVDQU    woff(SI), Y10 \
	VPAND      Y14, Y10, Y9 \
	VPSRLW     $4, Y10, Y10 \
	VPAND      Y14, Y10, Y10 \
	VPMADDUBSW xoff(DI), Y9, lo \
	VPMADDUBSW xoff+32(DI), Y10, hi \
	VPMADDWD   Y15, lo, lo \
	VPMADDWD   Y15, hi, hi

// func q4QuadRowsAVX2(wq *byte, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32)
TEXT ·q4QuadRowsAVX2(SB), NOSPLIT, $0-64
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ rows+48(FP), BX
	MOVQ y+56(FP), AX
	VMOVDQU ones16<>(SB), Y15
	VMOVDQU nibmask<>(SB), Y14

q4qrow:
	MOVQ xq+16(FP), DI
	MOVQ xs4+24(FP), R9
	MOVQ xk4+32(FP), R10
	MOVQ nquads+40(FP), CX
	VXORPS Y0, Y0, Y0

q4qloop:
	Q4PAIRQ(0, 0, Y4, Y5)
	Q4PAIRQ(32, 64, Y6, Y7)
	QUADFIN
	VPADDD (R10), Y4, Y4
	QUADSCALE
	ADDQ $64, SI
	ADDQ $128, DI
	ADDQ $16, R8
	ADDQ $32, R9
	ADDQ $32, R10
	DECQ CX
	JNZ  q4qloop

	HSUM
	MOVSS X0, (AX)
	ADDQ  $4, AX
	DECQ  BX
	JNZ   q4qrow
	VZEROUPPER
	RET

// VNNI variants of the quad kernels (AVX512_VNNI with AVX512VL, on YMM
// registers): VPDPBUSD does VPMADDUBSW+VPMADDWD in one instruction, and
// without the int16 stage.

// Q8BLKV: the signed weights become unsigned q+128 (XOR of the sign bit in
// Y14); the -128*sum(x) this adds per block is taken back through xk4.
#define Q8BLKV(off, dst) \
	VPXOR    off(SI), Y14, Y9 \
	VPXOR    dst, dst, dst \
	VPDPBUSD off(DI), Y9, dst

// func q8QuadRowsVNNI(wq *int8, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32)
TEXT ·q8QuadRowsVNNI(SB), NOSPLIT, $0-64
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ rows+48(FP), BX
	MOVQ y+56(FP), AX
	VMOVDQU signbit8<>(SB), Y14

q8vrow:
	MOVQ xq+16(FP), DI
	MOVQ xs4+24(FP), R9
	MOVQ xk4+32(FP), R10
	MOVQ nquads+40(FP), CX
	VXORPS Y0, Y0, Y0

q8vloop:
	// Software prefetch 2 KiB ahead: one core streaming a large matrix
	// from memory measured ~25% faster with it (BenchmarkMatMulLarge).
	PREFETCHT0 2048(SI)
	PREFETCHT0 2112(SI)
	Q8BLKV(0, Y4)
	Q8BLKV(32, Y5)
	Q8BLKV(64, Y6)
	Q8BLKV(96, Y7)
	QUADFIN
	VPADDD (R10), Y4, Y4
	QUADSCALE
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $16, R8
	ADDQ $32, R9
	ADDQ $32, R10
	DECQ CX
	JNZ  q8vloop

	HSUM
	MOVSS X0, (AX)
	ADDQ  $4, AX
	DECQ  BX
	JNZ   q8vrow
	VZEROUPPER
	RET

#define Q4PAIRV(woff, xoff, lo, hi) \
	VMOVDQU  woff(SI), Y10 \
	VPAND    Y14, Y10, Y9 \
	VPSRLW   $4, Y10, Y10 \
	VPAND    Y14, Y10, Y10 \
	VPXOR    lo, lo, lo \
	VPXOR    hi, hi, hi \
	VPDPBUSD xoff(DI), Y9, lo \
	VPDPBUSD xoff+32(DI), Y10, hi

// func q4QuadRowsVNNI(wq *byte, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32)
TEXT ·q4QuadRowsVNNI(SB), NOSPLIT, $0-64
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ rows+48(FP), BX
	MOVQ y+56(FP), AX
	VMOVDQU nibmask<>(SB), Y14

q4vrow:
	MOVQ xq+16(FP), DI
	MOVQ xs4+24(FP), R9
	MOVQ xk4+32(FP), R10
	MOVQ nquads+40(FP), CX
	VXORPS Y0, Y0, Y0

q4vloop:
	PREFETCHT0 2048(SI)
	Q4PAIRV(0, 0, Y4, Y5)
	Q4PAIRV(32, 64, Y6, Y7)
	QUADFIN
	VPADDD (R10), Y4, Y4
	QUADSCALE
	ADDQ $64, SI
	ADDQ $128, DI
	ADDQ $16, R8
	ADDQ $32, R9
	ADDQ $32, R10
	DECQ CX
	JNZ  q4vloop

	HSUM
	MOVSS X0, (AX)
	ADDQ  $4, AX
	DECQ  BX
	JNZ   q4vrow
	VZEROUPPER
	RET

// func axpyF32AVX2(y, x *float32, alpha float32, n int)   (n a multiple of 8)
TEXT ·axpyF32AVX2(SB), NOSPLIT, $0-32
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	VBROADCASTSS alpha+16(FP), Y0
	MOVQ         n+24(FP), CX

axf32loop16:
	CMPQ        CX, $16
	JLT         axf32loop8
	VMOVUPS     (DI), Y1
	VMOVUPS     32(DI), Y2
	VFMADD231PS (SI), Y0, Y1
	VFMADD231PS 32(SI), Y0, Y2
	VMOVUPS     Y1, (DI)
	VMOVUPS     Y2, 32(DI)
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         axf32loop16

axf32loop8:
	CMPQ        CX, $8
	JLT         axf32done
	VMOVUPS     (DI), Y1
	VFMADD231PS (SI), Y0, Y1
	VMOVUPS     Y1, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         axf32loop8

axf32done:
	VZEROUPPER
	RET

// func axpyF16AVX2(y *float32, x *uint16, alpha float32, n int)   (n a multiple of 8)
TEXT ·axpyF16AVX2(SB), NOSPLIT, $0-32
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	VBROADCASTSS alpha+16(FP), Y0
	MOVQ         n+24(FP), CX

axf16loop16:
	CMPQ        CX, $16
	JLT         axf16loop8
	VCVTPH2PS   (SI), Y3
	VCVTPH2PS   16(SI), Y4
	VMOVUPS     (DI), Y1
	VMOVUPS     32(DI), Y2
	VFMADD231PS Y3, Y0, Y1
	VFMADD231PS Y4, Y0, Y2
	VMOVUPS     Y1, (DI)
	VMOVUPS     Y2, 32(DI)
	ADDQ        $32, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         axf16loop16

axf16loop8:
	CMPQ        CX, $8
	JLT         axf16done
	VCVTPH2PS   (SI), Y3
	VMOVUPS     (DI), Y1
	VFMADD231PS Y3, Y0, Y1
	VMOVUPS     Y1, (DI)
	ADDQ        $16, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         axf16loop8

axf16done:
	VZEROUPPER
	RET

// Four-token VNNI quad kernels: one pass over a row's weights serves four
// tokens. The weights of four blocks are unpacked once into Y9..Y12 as
// unsigned bytes; per token, four VPDPBUSD give the blocks' int32 lanes,
// QUADFIN folds them to [b0 b1 b2 b3 | b0 b1 b2 b3], the activation's
// correction vector (xk4: -8*sum(x) for Q4_0's 0..15 quants, -128*sum(x) for
// Q8_0 quants stored as q+128) makes each block sum exact, and one FMA with
// the scale products accumulates. Registers: Y0..Y3 token accumulators,
// Y4..Y7 temporaries, Y8 weight scales, Y13 scale product.

#define V4TOK(x0, x1, x2, x3, ka, sa, acc) \
	VPXOR       Y4, Y4, Y4 \
	VPXOR       Y5, Y5, Y5 \
	VPXOR       Y6, Y6, Y6 \
	VPXOR       Y7, Y7, Y7 \
	VPDPBUSD    x0, Y9, Y4 \
	VPDPBUSD    x1, Y10, Y5 \
	VPDPBUSD    x2, Y11, Y6 \
	VPDPBUSD    x3, Y12, Y7 \
	QUADFIN \
	VPADDD      ka, Y4, Y4 \
	VCVTDQ2PS   Y4, Y4 \
	VMULPS      sa, Y8, Y13 \
	VFMADD231PS Y4, Y13, acc

#define V4TOKENS \
	VBROADCASTF128 (R8), Y8 \
	V4TOK((DI), 32(DI), 64(DI), 96(DI), (R10), (R9), Y0) \
	V4TOK((DI)(R11*1), 32(DI)(R11*1), 64(DI)(R11*1), 96(DI)(R11*1), (R10)(R13*1), (R9)(R13*1), Y1) \
	V4TOK((DI)(R11*2), 32(DI)(R11*2), 64(DI)(R11*2), 96(DI)(R11*2), (R10)(R13*2), (R9)(R13*2), Y2) \
	V4TOK((DI)(R12*1), 32(DI)(R12*1), 64(DI)(R12*1), 96(DI)(R12*1), (R10)(R14*1), (R9)(R14*1), Y3)

// func q4Quad4VNNI(wq *byte, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int)
// Token t's quants at xq + t*xstride, its xs4 and xk4 at + t*sstride (bytes),
// its outputs at y + t*ystride (bytes).
TEXT ·q4Quad4VNNI(SB), NOSPLIT, $0-88
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ xstride+56(FP), R11
	MOVQ sstride+64(FP), R13
	MOVQ y+72(FP), AX
	MOVQ ystride+80(FP), DX
	LEAQ (R11)(R11*2), R12
	LEAQ (R13)(R13*2), R14
	VMOVDQU nibmask<>(SB), Y14

q4v4row:
	MOVQ xq+16(FP), DI
	MOVQ xs4+24(FP), R9
	MOVQ xk4+32(FP), R10
	MOVQ nquads+40(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

q4v4loop:
	VMOVDQU (SI), Y10
	VPAND   Y14, Y10, Y9
	VPSRLW  $4, Y10, Y10
	VPAND   Y14, Y10, Y10
	VMOVDQU 32(SI), Y12
	VPAND   Y14, Y12, Y11
	VPSRLW  $4, Y12, Y12
	VPAND   Y14, Y12, Y12
	V4TOKENS
	ADDQ $64, SI
	ADDQ $128, DI
	ADDQ $16, R8
	ADDQ $32, R9
	ADDQ $32, R10
	DECQ CX
	JNZ  q4v4loop

	STORE4Y
	ADDQ $4, AX
	DECQ rows+48(FP)
	JNZ  q4v4row
	VZEROUPPER
	RET

DATA signbit8<>+0(SB)/8, $0x8080808080808080
DATA signbit8<>+8(SB)/8, $0x8080808080808080
DATA signbit8<>+16(SB)/8, $0x8080808080808080
DATA signbit8<>+24(SB)/8, $0x8080808080808080
GLOBL signbit8<>(SB), RODATA|NOPTR, $32

// func q8Quad4VNNI(wq *int8, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int)
// As q4Quad4VNNI; the signed weights become q+128 (XOR of the sign bit).
TEXT ·q8Quad4VNNI(SB), NOSPLIT, $0-88
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ xstride+56(FP), R11
	MOVQ sstride+64(FP), R13
	MOVQ y+72(FP), AX
	MOVQ ystride+80(FP), DX
	LEAQ (R11)(R11*2), R12
	LEAQ (R13)(R13*2), R14
	VMOVDQU signbit8<>(SB), Y14

q8v4row:
	MOVQ xq+16(FP), DI
	MOVQ xs4+24(FP), R9
	MOVQ xk4+32(FP), R10
	MOVQ nquads+40(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

q8v4loop:
	VPXOR (SI), Y14, Y9
	VPXOR 32(SI), Y14, Y10
	VPXOR 64(SI), Y14, Y11
	VPXOR 96(SI), Y14, Y12
	V4TOKENS
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $16, R8
	ADDQ $32, R9
	ADDQ $32, R10
	DECQ CX
	JNZ  q8v4loop

	STORE4Y
	ADDQ $4, AX
	DECQ rows+48(FP)
	JNZ  q8v4row
	VZEROUPPER
	RET

// func scoresF16AVX2(q *float32, k *uint16, n, stride, hd int, scale float32, out *float32) (mx float32)
// out[t] = scale * Σ_j q[j]·k[t*stride+j] for t < n (n >= 1, hd a multiple
// of 16, stride in elements); returns the largest out[t].
TEXT ·scoresF16AVX2(SB), NOSPLIT, $0-60
	MOVQ         k+8(FP), SI
	MOVQ         n+16(FP), BX
	MOVQ         stride+24(FP), R8
	SHLQ         $1, R8
	VMOVSS       scale+40(FP), X6
	MOVQ         out+48(FP), AX
	MOVL         $0xff800000, DX // -Inf
	MOVL         DX, X7

scrow:
	MOVQ   q+0(FP), DI
	MOVQ   SI, R9
	MOVQ   hd+32(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1

sccol:
	VCVTPH2PS   (R9), Y2
	VCVTPH2PS   16(R9), Y3
	VFMADD231PS (DI), Y2, Y0
	VFMADD231PS 32(DI), Y3, Y1
	ADDQ        $32, R9
	ADDQ        $64, DI
	SUBQ        $16, CX
	JNZ         sccol

	VADDPS Y1, Y0, Y0
	HSUM
	VMULSS X6, X0, X0
	MOVSS  X0, (AX)
	VMAXSS X7, X0, X7
	ADDQ   $4, AX
	ADDQ   R8, SI
	DECQ   BX
	JNZ    scrow
	VZEROUPPER
	MOVSS  X7, mx+56(FP)
	RET

// func wsumF16AVX2(p *float32, v *uint16, n, stride, hd int, out *float32)
// out[j] = Σ_t p[t]·v[t*stride+j] for j < hd (n >= 1, hd a multiple of 32,
// stride in elements), 32 columns per pass over the rows.
TEXT ·wsumF16AVX2(SB), NOSPLIT, $0-48
	MOVQ v+8(FP), SI
	MOVQ stride+24(FP), R8
	SHLQ $1, R8
	MOVQ out+40(FP), AX
	MOVQ hd+32(FP), CX

wscols:
	MOVQ   p+0(FP), DI
	MOVQ   SI, R9
	MOVQ   n+16(FP), BX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

wsrow:
	VBROADCASTSS (DI), Y4
	VCVTPH2PS    (R9), Y5
	VCVTPH2PS    16(R9), Y6
	VCVTPH2PS    32(R9), Y7
	VCVTPH2PS    48(R9), Y8
	VFMADD231PS  Y5, Y4, Y0
	VFMADD231PS  Y6, Y4, Y1
	VFMADD231PS  Y7, Y4, Y2
	VFMADD231PS  Y8, Y4, Y3
	ADDQ         $4, DI
	ADDQ         R8, R9
	DECQ         BX
	JNZ          wsrow

	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)
	VMOVUPS Y2, 64(AX)
	VMOVUPS Y3, 96(AX)
	ADDQ    $128, AX
	ADDQ    $64, SI
	SUBQ    $32, CX
	JNZ     wscols
	VZEROUPPER
	RET

// VNNI variant of q4KRows4AVX2: VPDPWSSD applies the sub-block scales and
// accumulates in one instruction (VPMADDWD + VPADDD otherwise).
#define Q4KTOKV(xa, xb, iacc) \
	VPMADDUBSW xa, Y8, Y13 \
	VPMADDUBSW xb, Y9, Y14 \
	VPDPWSSD   Y10, Y13, iacc \
	VPDPWSSD   Y11, Y14, iacc

#define Q4KPAIR4V(qoff, x0, x1, s0, s1) \
	VMOVDQU qoff(SI), Y8 \
	VPSRLW  $4, Y8, Y9 \
	VPAND   Y15, Y8, Y8 \
	VPAND   Y15, Y9, Y9 \
	VPSHUFB kshuf<>+s0(SB), Y12, Y10 \
	VPSHUFB kshuf<>+s1(SB), Y12, Y11 \
	Q4KTOKV(x0(DI), x1(DI), Y4) \
	Q4KTOKV(x0(DI)(R11*1), x1(DI)(R11*1), Y5) \
	Q4KTOKV(x0(DI)(R11*2), x1(DI)(R11*2), Y6) \
	Q4KTOKV(x0(DI)(R12*1), x1(DI)(R12*1), Y7)

// func q4KRows4VNNI(w *byte, wd *float32, xq *int8, xd *float32, xb *int16, nsb, rows, xstride, dstride int, y *float32, ystride int)
TEXT ·q4KRows4VNNI(SB), NOSPLIT, $0-88
	MOVQ w+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ xstride+56(FP), R11
	MOVQ dstride+64(FP), R13
	MOVQ y+72(FP), AX
	MOVQ ystride+80(FP), DX
	LEAQ (R11)(R11*2), R12
	LEAQ (R13)(R13*2), R14
	VMOVDQU nibmask<>(SB), Y15

q4kv4row:
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), R9
	MOVQ xb+32(FP), R10
	MOVQ nsb+40(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VPXOR  Y4, Y4, Y4
	VPXOR  Y5, Y5, Y5
	VPXOR  Y6, Y6, Y6
	VPXOR  Y7, Y7, Y7

q4kv4loop:
	VPMOVZXBW   (SI), X12
	VINSERTI128 $1, X12, Y12, Y12
	Q4KPAIR4V(16, 0, 32, 0, 32)
	Q4KPAIR4V(48, 64, 96, 64, 96)
	Q4KPAIR4V(80, 128, 160, 128, 160)
	Q4KPAIR4V(112, 192, 224, 192, 224)
	Q4KFIN((R9), (R10), Y4, Y0)
	Q4KFIN((R9)(R13*1), (R10)(R13*4), Y5, Y1)
	Q4KFIN((R9)(R13*2), (R10)(R13*8), Y6, Y2)
	Q4KFIN((R9)(R14*1), (R10)(R14*4), Y7, Y3)
	ADDQ $144, SI
	ADDQ $8, R8
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $16, R10
	DECQ CX
	JNZ  q4kv4loop

	STORE4Y
	ADDQ $4, AX
	DECQ rows+48(FP)
	JNZ  q4kv4row
	VZEROUPPER
	RET
