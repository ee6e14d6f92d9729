/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state a KUnit stub (emul_stubs.S) runs one instruction from and
 * leaves it in. Offsets are shared with the assembly.
 *
 * A stub switches to a 256-byte stack window 1 KB below its own stack
 * (so interrupts land below the window, on the real task stack), copies
 * win[] there, loads EFLAGS and every GPR from the input state, runs the
 * instruction and stores everything into the output state. gpr[4] (%rsp)
 * is on input an offset from the window's middle, FBT_KT_SP0 bytes in;
 * on output it is the address, and sp0 tells where the window was.
 */
#ifndef FBT_KUNIT_HARNESS_H
#define FBT_KUNIT_HARNESS_H

#define FBT_KT_GPR(n)		((n) * 8)
#define FBT_KT_FLAGS		128
#define FBT_KT_SP0_OUT		136
#define FBT_KT_WIN		144
#define FBT_KT_WIN_BYTES	256
#define FBT_KT_SP0		128
#define FBT_KT_BELOW_HOST	1024

/* Form flags (FBT_KT_FORM's second argument). */
#define FBT_KT_IF0		0x1	/* moves %rsp away: interrupts off only */
#define FBT_KT_POPF		0x2	/* pops EFLAGS: sanitize the value */
#define FBT_KT_RDI_DATA		0x4	/* %rdi points into a data buffer */
#define FBT_KT_UNDEF_SHIFT	0x8	/* AF, OF undefined (shift counts > 1) */
#define FBT_KT_UNDEF_BT		0x10	/* OF, SF, AF, PF undefined (bt*) */

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct fbt_kt_state {
	u64 gpr[16];		/* encoding order: ax cx dx bx sp bp si di r8-r15 */
	u64 flags;
	u64 sp0;		/* out: address of the window's middle */
	u64 win[FBT_KT_WIN_BYTES / 8];
};

typedef void (*fbt_kt_stub_t)(const struct fbt_kt_state *in,
			      struct fbt_kt_state *out);

/* The stubs, in the order of forms_9x.h and forms_entry.h */
extern const fbt_kt_stub_t fbt_kt_stubs_9x[], fbt_kt_stubs_entry[];
extern const u64 fbt_kt_nr_9x, fbt_kt_nr_entry;

/* Offset of the instruction in every stub */
extern const u64 fbt_kt_insn_offset;
#endif

#endif /* FBT_KUNIT_HARNESS_H */
