/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fbt_emul.op values: what fbt_emul_prepare() tells fbt_emul_run() to do
 * within a kind. Private to emul/.
 */
#ifndef FBT_EMUL_OPS_H
#define FBT_EMUL_OPS_H

/* FBT_K_ALU: the ModRM reg field of the 80 group, then test. */
enum fbt_alu_op {
	FBT_ALU_ADD, FBT_ALU_OR, FBT_ALU_ADC, FBT_ALU_SBB,
	FBT_ALU_AND, FBT_ALU_SUB, FBT_ALU_XOR, FBT_ALU_CMP,
	FBT_ALU_TEST,
};

/* FBT_K_UNARY */
enum fbt_unary_op {
	FBT_UN_NOT, FBT_UN_NEG, FBT_UN_INC, FBT_UN_DEC,
};

/* FBT_K_SHIFT: the ModRM reg field of the c0 group (rcl, rcr, sal refused) */
enum fbt_shift_op {
	FBT_SH_ROL = 0, FBT_SH_ROR = 1, FBT_SH_SHL = 4, FBT_SH_SHR = 5,
	FBT_SH_SAR = 7,
};

/* FBT_K_MOVX */
enum fbt_movx_op {
	FBT_MOVX_ZERO, FBT_MOVX_SIGN,
};

/* FBT_K_MISC */
enum fbt_misc_op {
	FBT_MISC_CLC, FBT_MISC_STC, FBT_MISC_CMC, FBT_MISC_CLD, FBT_MISC_STD,
	FBT_MISC_BSWAP,
	/* bt, bts, btr, btc in the order of 0f ba /4-/7 */
	FBT_MISC_BT, FBT_MISC_BTS, FBT_MISC_BTR, FBT_MISC_BTC,
};

/* FBT_K_CMOV, FBT_K_SETCC, FBT_K_JCC: op is the condition code 0-15. */

#endif /* FBT_EMUL_OPS_H */
