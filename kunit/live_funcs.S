/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The functions kunit/live_test.c puts fbt's probes on: each starts (after
 * its ENDBR) with the instruction under test, written here so that it is
 * exactly that instruction, and computes a result from its arguments that
 * is right only if the instruction did what it should.
 *
 * fbt_kt_live_call() enters one with %rax and EFLAGS set, for the forms
 * that read them; fbt_kt_live_call_popf() enters fbt_kt_live_popf with the
 * image on the stack, so that its first instruction can be popf.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/nospec-branch.h>

	.text

/* u64 fbt_kt_live_call(fn, a, b, rax, flags): fn(a, b), %rax, EFLAGS set */
SYM_FUNC_START(fbt_kt_live_call)
	push	%rbp
	mov	%rsp, %rbp
	mov	%rdi, %r11
	mov	%rsi, %rdi
	mov	%rdx, %rsi
	mov	%rcx, %rax
	push	%r8
	popf
	CALL_NOSPEC r11
	pop	%rbp
	RET
SYM_FUNC_END(fbt_kt_live_call)

/* a + b, through the stack */
SYM_FUNC_START(fbt_kt_live_push)
	push	%rdi
	pop	%rax
	add	%rsi, %rax
	RET
SYM_FUNC_END(fbt_kt_live_push)

/* the EFLAGS image pushf pushed */
SYM_FUNC_START(fbt_kt_live_pushf)
	pushf
	pop	%rax
	RET
SYM_FUNC_END(fbt_kt_live_pushf)

/* EFLAGS after popf of the image on top of the stack (see below) */
SYM_FUNC_START(fbt_kt_live_popf)
	popf
	pushf
	pop	%rax
	RET
SYM_FUNC_END(fbt_kt_live_popf)
	/* pops a word its caller pushed after the call: not a standard frame */
	STACK_FRAME_NON_STANDARD fbt_kt_live_popf

/* u64 fbt_kt_live_call_popf(image): fbt_kt_live_popf with @image pushed */
SYM_FUNC_START(fbt_kt_live_call_popf)
	push	%rbp
	mov	%rsp, %rbp
	ANNOTATE_INTRA_FUNCTION_CALL
	call	1f
	pop	%rbp
	RET
1:	push	%rdi
	jmp	fbt_kt_live_popf
SYM_FUNC_END(fbt_kt_live_call_popf)
	STACK_FRAME_NON_STANDARD fbt_kt_live_call_popf

/* b - c for %rax = c: xchg %rax,%rsi then %rax - %rsi */
SYM_FUNC_START(fbt_kt_live_xchg)
	xchg	%rax, %rsi
	sub	%rsi, %rax
	RET
SYM_FUNC_END(fbt_kt_live_xchg)

/* %eax sign-extended */
SYM_FUNC_START(fbt_kt_live_cltq)
	cltq
	RET
SYM_FUNC_END(fbt_kt_live_cltq)

/* %rdx after cqto: the sign of %rax, all ones or zero */
SYM_FUNC_START(fbt_kt_live_cqto)
	cqto
	mov	%rdx, %rax
	RET
SYM_FUNC_END(fbt_kt_live_cqto)

/* the low byte of EFLAGS, as lahf loads it into %ah */
SYM_FUNC_START(fbt_kt_live_lahf)
	lahf
	movzbl	%ah, %eax
	RET
SYM_FUNC_END(fbt_kt_live_lahf)

/* EFLAGS after sahf of %ah */
SYM_FUNC_START(fbt_kt_live_sahf)
	sahf
	pushf
	pop	%rax
	RET
SYM_FUNC_END(fbt_kt_live_sahf)

/* a + 1 after a nop */
SYM_FUNC_START(fbt_kt_live_nop)
	.byte	0x90
	lea	1(%rdi), %rax
	RET
SYM_FUNC_END(fbt_kt_live_nop)

/* a: an entry probe on the mov, a return probe on the return */
SYM_FUNC_START(fbt_kt_live_mov)
	mov	%rdi, %rax
	RET
SYM_FUNC_END(fbt_kt_live_mov)
