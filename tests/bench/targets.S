/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Benchmark targets: tiny functions whose first real instruction (after
 * the ENDBR that SYM_FUNC_START emits on IBT kernels) is exactly the one
 * named, so every mechanism probes the same instruction. Each has a twin,
 * bench_<name>_floor, with the same bytes: fbt arms the twin and the bench
 * module's own DIE_INT3 notifier claims its traps (the floor).
 *
 * C prototype of each: void bench_<name>(void). They clobber only
 * caller-saved registers and leave the stack as they found it.
 */
#include <linux/linkage.h>
#include <asm/linkage.h>

	.text

.macro BENCH_PAIR name
SYM_FUNC_START(bench_\name)
	BENCH_BODY_\name
	RET
SYM_FUNC_END(bench_\name)
SYM_FUNC_START(bench_\name\()_floor)
	BENCH_BODY_\name
	RET
SYM_FUNC_END(bench_\name\()_floor)
.endm

/* push %rbx (53): the most common first instruction */
.macro BENCH_BODY_push
	push	%rbx
	pop	%rbx
.endm

/* pushfq (9c): the seed's opcode */
.macro BENCH_BODY_pushf
	pushfq
	popfq
.endm

/* mov %rdi,%rax (48 89 f8) */
.macro BENCH_BODY_mov
	mov	%rdi, %rax
.endm

/* xchg %rax,%rdx (48 92) */
.macro BENCH_BODY_xchg
	xchg	%rax, %rdx
.endm

/* sub $8,%rsp (48 83 ec 08): a stack-frame ALU op */
.macro BENCH_BODY_sub
	sub	$8, %rsp
	add	$8, %rsp
.endm

/* lea 8(%rdi),%rax (48 8d 47 08) */
.macro BENCH_BODY_lea
	lea	8(%rdi), %rax
.endm

BENCH_PAIR push
BENCH_PAIR pushf
BENCH_PAIR mov
BENCH_PAIR xchg
BENCH_PAIR sub
BENCH_PAIR lea
