/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One stub per tested instruction form: load a struct fbt_kt_state,
 * execute the form's bytes in kernel mode, store the state the CPU left.
 *
 *	void fbt_kt_stub_NAME(const struct fbt_kt_state *in,
 *			      struct fbt_kt_state *out);
 *
 * Every stub has the instruction fbt_kt_insn_offset bytes in, so the test
 * reads the bytes the emulator gets from the text itself and knows where
 * the CPU continued (a constant, not a label: no relocation into the middle
 * of a function for objtool's IBT checks to flag). Between loading and storing
 * the state no register but the tested ones and no stack but the window
 * is touched, so the instruction sees exactly the input state.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/linkage.h>
#include "harness.h"

	.pushsection .data
	.balign 8
fbt_kt_out:	.quad 0		/* the output state */
fbt_kt_host_sp:	.quad 0		/* the stub's own %rsp */
fbt_kt_win:	.quad 0		/* the window's low end */
fbt_kt_sp_in:	.quad 0		/* %rsp for the instruction */
fbt_kt_rax:	.quad 0		/* %rax while the output is stored */
	.popsection

.macro FBT_KT_ENTER
	push	%rbp
	mov	%rsp, %rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	pushf
	mov	%rsi, fbt_kt_out(%rip)
	mov	%rsp, fbt_kt_host_sp(%rip)
	/* the window, below our stack; interrupts now land below it */
	lea	-FBT_KT_BELOW_HOST(%rsp), %r12
	and	$-16, %r12
	mov	%r12, %rsp
	mov	%r12, fbt_kt_win(%rip)
	mov	%rdi, %rbx
	lea	FBT_KT_WIN(%rbx), %rsi
	mov	%r12, %rdi
	mov	$(FBT_KT_WIN_BYTES / 8), %ecx
	rep movsq			/* DF is clear: the C ABI */
	lea	FBT_KT_SP0(%r12), %rax
	mov	fbt_kt_out(%rip), %rcx
	mov	%rax, FBT_KT_SP0_OUT(%rcx)
	add	FBT_KT_GPR(4)(%rbx), %rax
	mov	%rax, fbt_kt_sp_in(%rip)
	/* from here on only moves: they leave EFLAGS as loaded */
	push	FBT_KT_FLAGS(%rbx)
	popf
	mov	fbt_kt_sp_in(%rip), %rsp
	mov	FBT_KT_GPR(0)(%rbx), %rax
	mov	FBT_KT_GPR(1)(%rbx), %rcx
	mov	FBT_KT_GPR(2)(%rbx), %rdx
	mov	FBT_KT_GPR(5)(%rbx), %rbp
	mov	FBT_KT_GPR(6)(%rbx), %rsi
	mov	FBT_KT_GPR(7)(%rbx), %rdi
	mov	FBT_KT_GPR(8)(%rbx), %r8
	mov	FBT_KT_GPR(9)(%rbx), %r9
	mov	FBT_KT_GPR(10)(%rbx), %r10
	mov	FBT_KT_GPR(11)(%rbx), %r11
	mov	FBT_KT_GPR(12)(%rbx), %r12
	mov	FBT_KT_GPR(13)(%rbx), %r13
	mov	FBT_KT_GPR(14)(%rbx), %r14
	mov	FBT_KT_GPR(15)(%rbx), %r15
	mov	FBT_KT_GPR(3)(%rbx), %rbx
.endm

.macro FBT_KT_LEAVE
	mov	%rax, fbt_kt_rax(%rip)
	mov	fbt_kt_out(%rip), %rax
	mov	%rcx, FBT_KT_GPR(1)(%rax)
	mov	%rdx, FBT_KT_GPR(2)(%rax)
	mov	%rbx, FBT_KT_GPR(3)(%rax)
	mov	%rsp, FBT_KT_GPR(4)(%rax)
	mov	%rbp, FBT_KT_GPR(5)(%rax)
	mov	%rsi, FBT_KT_GPR(6)(%rax)
	mov	%rdi, FBT_KT_GPR(7)(%rax)
	mov	%r8, FBT_KT_GPR(8)(%rax)
	mov	%r9, FBT_KT_GPR(9)(%rax)
	mov	%r10, FBT_KT_GPR(10)(%rax)
	mov	%r11, FBT_KT_GPR(11)(%rax)
	mov	%r12, FBT_KT_GPR(12)(%rax)
	mov	%r13, FBT_KT_GPR(13)(%rax)
	mov	%r14, FBT_KT_GPR(14)(%rax)
	mov	%r15, FBT_KT_GPR(15)(%rax)
	mov	fbt_kt_rax(%rip), %rcx
	mov	%rcx, FBT_KT_GPR(0)(%rax)
	/* back below the window, then EFLAGS and the window out */
	mov	fbt_kt_win(%rip), %rsp
	pushf
	pop	FBT_KT_FLAGS(%rax)
	cld
	mov	%rsp, %rsi
	lea	FBT_KT_WIN(%rax), %rdi
	mov	$(FBT_KT_WIN_BYTES / 8), %ecx
	rep movsq
	mov	fbt_kt_host_sp(%rip), %rsp
	popf
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
.endm

.macro FBT_KT_STUB name:req, bytes:vararg
SYM_FUNC_START(fbt_kt_stub_\name)
	FBT_KT_ENTER
fbt_kt_insn_\name:
	.byte	\bytes
	FBT_KT_LEAVE
	RET
SYM_FUNC_END(fbt_kt_stub_\name)
	/* %rsp moves by loads: no stack validation, no ORC (also in vmlinux.o) */
	STACK_FRAME_NON_STANDARD fbt_kt_stub_\name
.endm

#define FBT_KT_FORM(name, flags, bytes...)	FBT_KT_STUB name, bytes

	.text
#include "forms_9x.h"
#include "forms_entry.h"
#undef FBT_KT_FORM

/* The tables of stubs the test indexes, in the order of the forms */
#define FBT_KT_FORM(name, flags, bytes...)	.quad fbt_kt_stub_##name

	.pushsection .rodata
	.balign 8
SYM_DATA_START(fbt_kt_stubs_9x)
#include "forms_9x.h"
SYM_DATA_END_LABEL(fbt_kt_stubs_9x, SYM_L_LOCAL, fbt_kt_stubs_9x_end)
SYM_DATA(fbt_kt_nr_9x, .quad (fbt_kt_stubs_9x_end - fbt_kt_stubs_9x) / 8)
SYM_DATA_START(fbt_kt_stubs_entry)
#include "forms_entry.h"
SYM_DATA_END_LABEL(fbt_kt_stubs_entry, SYM_L_LOCAL, fbt_kt_stubs_entry_end)
SYM_DATA(fbt_kt_nr_entry, .quad (fbt_kt_stubs_entry_end - fbt_kt_stubs_entry) / 8)
	.popsection

	.pushsection .rodata
	.balign 8
SYM_DATA(fbt_kt_insn_offset, .quad fbt_kt_insn_x90 - fbt_kt_stub_x90)
	.popsection
