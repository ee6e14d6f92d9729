// SPDX-License-Identifier: GPL-2.0
/*
 * Table test of fbt_insn_decode(): tricky encodings with known lengths and
 * fields, truncation at every length, the 15-byte limit, and a random sweep
 * that checks the decoder never reads past buflen (the buffer ends at a
 * PROT_NONE page) and that its fields are self-consistent.
 *
 * Prints `ok GROUP` or `not ok GROUP DETAIL` per group; exits 1 on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "insn.h"

/*
 * expect: "invalid", "trunc", "toolong", or space-separated key=value
 * checks on a successful decode: len, op (opcode), map (1b 0f 38 3a x8 x9
 * xa e5 e6), opc (opc_off), modrm, sib (offsets, -1 for none), disp=OFF/SIZE,
 * imm=OFF/SIZE (disp=- / imm=- for none), rip (0/1), rex (hex, 0 for none),
 * pfx (hex FBT_PFX_* bits), seg (hex), vex (none vex2 vex3 evex xop).
 */
struct tcase {
	const char *group;
	const char *bytes;
	const char *expect;
};

static const struct tcase cases[] = {
	/* 0x90-0x9f and their prefixes */
	{ "nop-xchg", "90", "len=1 op=90 map=1b modrm=-1 rex=0 pfx=0" },
	{ "nop-xchg", "41 90", "len=2 op=90 rex=41 opc=1" },
	{ "nop-xchg", "f3 90", "len=2 op=90 pfx=8 rex=0" },
	{ "nop-xchg", "66 90", "len=2 op=90 pfx=1" },
	{ "nop-xchg", "48 98", "len=2 op=98 rex=48" },
	{ "nop-xchg", "66 98", "len=2 op=98 pfx=1" },
	{ "nop-xchg", "48 99", "len=2 op=99 rex=48" },
	{ "nop-xchg", "9b", "len=1 op=9b" },
	{ "nop-xchg", "9c", "len=1 op=9c" },
	{ "nop-xchg", "9d", "len=1" },
	{ "nop-xchg", "9e", "len=1" },
	{ "nop-xchg", "9f", "len=1" },
	{ "nop-xchg", "9b df e0", "len=1 op=9b" },
	{ "nop-xchg", "87 c0", "len=2 modrm=1" },

	/* invalid in 64-bit mode */
	{ "invalid-64", "9a 00 00 00 00 00 00", "invalid" },
	{ "invalid-64", "06", "invalid" },
	{ "invalid-64", "07", "invalid" },
	{ "invalid-64", "0e", "invalid" },
	{ "invalid-64", "16", "invalid" },
	{ "invalid-64", "17", "invalid" },
	{ "invalid-64", "1e", "invalid" },
	{ "invalid-64", "1f", "invalid" },
	{ "invalid-64", "27", "invalid" },
	{ "invalid-64", "2f", "invalid" },
	{ "invalid-64", "37", "invalid" },
	{ "invalid-64", "3f", "invalid" },
	{ "invalid-64", "60", "invalid" },
	{ "invalid-64", "61", "invalid" },
	{ "invalid-64", "82 c0 01", "invalid" },
	{ "invalid-64", "ce", "invalid" },
	{ "invalid-64", "d4 0a", "invalid" },
	{ "invalid-64", "d5 0a", "invalid" },
	{ "invalid-64", "d6", "invalid" },
	{ "invalid-64", "ea 00 00 00 00 00 00", "invalid" },
	{ "invalid-64", "66 9a 00 00 00 00", "invalid" },
	{ "invalid-64", "0f 24 c0", "invalid" },
	{ "invalid-64", "0f 04", "invalid" },
	{ "invalid-64", "0f 36", "invalid" },
	{ "invalid-64", "0f 38 50 c0", "invalid" },
	{ "invalid-64", "0f 3a 00 c0 00", "invalid" },

	/* group encodings whose validity depends on ModRM */
	{ "groups", "fe c0", "len=2 modrm=1" },
	{ "groups", "fe d0", "invalid" },
	{ "groups", "ff d0", "len=2" },
	{ "groups", "ff 15 00 00 00 00", "len=6 rip=1 disp=2/4" },
	{ "groups", "ff 18", "len=2" },
	{ "groups", "ff d8", "invalid" },
	{ "groups", "ff e8", "invalid" },
	{ "groups", "ff 38", "invalid" },
	{ "groups", "c6 00 12", "len=3 imm=2/1" },
	{ "groups", "c6 08 12", "invalid" },
	{ "groups", "c6 f8 01", "len=3 imm=2/1" },
	{ "groups", "c7 f8 00 00 00 00", "len=6 imm=2/4" },
	{ "groups", "66 c7 f8 00 00", "len=5 imm=3/2" },
	{ "groups", "c7 c8 00 00 00 00", "invalid" },
	{ "groups", "48 8d c0", "invalid" },
	{ "groups", "0f ba e0 04", "len=4 map=0f op=ba imm=3/1" },
	{ "groups", "0f ba c0 04", "invalid" },
	{ "groups", "0f 00 f0", "invalid" },
	{ "groups", "0f 01 d0", "len=3 map=0f op=01 modrm=2" },
	{ "groups", "0f 01 f8", "len=3" },
	{ "groups", "0f 01 ca", "len=3" },
	{ "groups", "0f 01 15 00 00 00 00", "len=7 rip=1" },
	{ "groups", "0f ae f0", "len=3 op=ae modrm=2 disp=-" },
	{ "groups", "0f ae e8", "len=3" },
	{ "groups", "0f ae 38", "len=3" },
	{ "groups", "66 0f ae 38", "len=4" },
	{ "groups", "48 0f c7 0f", "len=4 op=c7" },
	{ "groups", "0f a7 c0", "len=3" },
	{ "groups", "0f a7 00", "invalid" },

	/* immediates and the 66/REX.W size rules */
	{ "immediates", "b8 78 56 34 12", "len=5 imm=1/4" },
	{ "immediates", "48 b8 88 77 66 55 44 33 22 11",
	  "len=10 op=b8 rex=48 imm=2/8 modrm=-1" },
	{ "immediates", "49 bf 88 77 66 55 44 33 22 11", "len=10 imm=2/8" },
	{ "immediates", "66 b8 34 12", "len=4 imm=2/2" },
	{ "immediates", "66 48 b8 88 77 66 55 44 33 22 11", "len=11 imm=3/8" },
	{ "immediates", "48 66 b8 34 12", "len=5 rex=0 pfx=1 imm=3/2" },
	{ "immediates", "b0 12", "len=2 imm=1/1" },
	{ "immediates", "48 c7 c0 78 56 34 12", "len=7 modrm=2 imm=3/4" },
	{ "immediates", "66 c7 c0 34 12", "len=5 imm=3/2" },
	{ "immediates", "66 48 c7 c0 78 56 34 12", "len=8 imm=4/4" },
	{ "immediates", "68 78 56 34 12", "len=5 imm=1/4" },
	{ "immediates", "66 68 34 12", "len=4 imm=2/2" },
	{ "immediates", "6a 01", "len=2 imm=1/1" },
	{ "immediates", "69 c0 78 56 34 12", "len=6 modrm=1 imm=2/4" },
	{ "immediates", "66 69 c0 34 12", "len=5 imm=3/2" },
	{ "immediates", "6b c0 01", "len=3 imm=2/1" },
	{ "immediates", "80 c0 01", "len=3 imm=2/1" },
	{ "immediates", "81 c0 78 56 34 12", "len=6 imm=2/4" },
	{ "immediates", "66 81 c0 34 12", "len=5 imm=3/2" },
	{ "immediates", "48 81 ec 00 01 00 00", "len=7 imm=3/4" },
	{ "immediates", "48 83 ec 08", "len=4 imm=3/1" },
	{ "immediates", "05 78 56 34 12", "len=5 imm=1/4" },
	{ "immediates", "66 05 34 12", "len=4 imm=2/2" },
	{ "immediates", "48 05 78 56 34 12", "len=6 imm=2/4" },
	{ "immediates", "66 48 05 78 56 34 12", "len=7 imm=3/4" },
	{ "immediates", "a8 01", "len=2" },
	{ "immediates", "a9 78 56 34 12", "len=5" },
	{ "immediates", "f6 c0 01", "len=3 imm=2/1" },
	{ "immediates", "f6 c8 01", "len=3 imm=2/1" },
	{ "immediates", "f6 d0", "len=2 imm=-" },
	{ "immediates", "f7 c0 78 56 34 12", "len=6 imm=2/4" },
	{ "immediates", "66 f7 c0 34 12", "len=5 imm=3/2" },
	{ "immediates", "48 f7 c0 78 56 34 12", "len=7 imm=3/4" },
	{ "immediates", "f7 d8", "len=2 imm=-" },
	{ "immediates", "f7 e1", "len=2" },
	{ "immediates", "f7 44 24 08 01 00 00 00", "len=8 sib=2 disp=3/1 imm=4/4" },
	{ "immediates", "c0 e0 04", "len=3 imm=2/1" },
	{ "immediates", "c1 e0 04", "len=3" },
	{ "immediates", "d1 e0", "len=2" },
	{ "immediates", "c2 08 00", "len=3 imm=1/2" },
	{ "immediates", "ca 08 00", "len=3 imm=1/2" },
	{ "immediates", "c8 10 00 01", "len=4 imm=1/3" },
	{ "immediates", "cd 03", "len=2" },
	{ "immediates", "e4 60", "len=2" },
	{ "immediates", "0f a4 c0 04", "len=4 imm=3/1" },
	{ "immediates", "0f 0f c0 b4", "len=4 op=0f map=0f imm=3/1" },
	{ "immediates", "66 0f 73 d8 08", "len=5 imm=4/1" },
	{ "immediates", "66 0f 78 c0 01 02", "len=6 imm=4/2" },
	{ "immediates", "66 0f 3a 0f c1 08", "len=6 map=3a op=0f opc=3 imm=5/1" },
	{ "immediates", "0f 38 00 c1", "len=4 map=38 op=00 imm=-" },

	/* moffs: 8-byte address, 4 with 67 */
	{ "moffs", "a0 88 77 66 55 44 33 22 11", "len=9 disp=1/8 imm=- modrm=-1" },
	{ "moffs", "48 a1 88 77 66 55 44 33 22 11", "len=10 disp=2/8" },
	{ "moffs", "66 a1 88 77 66 55 44 33 22 11", "len=10 disp=2/8" },
	{ "moffs", "67 a0 44 33 22 11", "len=6 disp=2/4 pfx=2" },
	{ "moffs", "65 48 a3 88 77 66 55 44 33 22 11", "len=11 seg=65" },

	/* branches: rel32 whatever 66 says */
	{ "branches", "e8 00 00 00 00", "len=5 imm=1/4" },
	{ "branches", "e9 00 00 00 00", "len=5 imm=1/4" },
	{ "branches", "66 e8 00 00 00 00", "len=6 imm=2/4" },
	{ "branches", "0f 84 00 00 00 00", "len=6 map=0f op=84 imm=2/4" },
	{ "branches", "66 0f 84 00 00 00 00", "len=7 imm=3/4" },
	{ "branches", "eb fe", "len=2 imm=1/1" },
	{ "branches", "74 00", "len=2" },
	{ "branches", "e3 00", "len=2" },
	{ "branches", "c3", "len=1" },
	{ "branches", "f2 c3", "len=2 pfx=4" },
	{ "branches", "f2 e9 00 00 00 00", "len=6" },
	{ "branches", "3e ff e0", "len=3 seg=3e" },
	{ "branches", "ff 25 00 00 00 00", "len=6 rip=1" },

	/* ModRM, SIB and displacement */
	{ "modrm-sib", "8b c0", "len=2 modrm=1 sib=-1 disp=- rip=0" },
	{ "modrm-sib", "8b 00", "len=2" },
	{ "modrm-sib", "8b 45 08", "len=3 disp=2/1" },
	{ "modrm-sib", "8b 45 00", "len=3 disp=2/1 rip=0" },
	{ "modrm-sib", "8b 85 00 01 00 00", "len=6 disp=2/4 rip=0" },
	{ "modrm-sib", "8b 44 24 08", "len=4 sib=2 disp=3/1" },
	{ "modrm-sib", "8b 04 24", "len=3 sib=2 disp=-" },
	{ "modrm-sib", "8b 84 24 00 01 00 00", "len=7 sib=2 disp=3/4" },
	{ "modrm-sib", "8b 04 25 00 10 00 00", "len=7 sib=2 disp=3/4 rip=0" },
	{ "modrm-sib", "8b 04 05 00 10 00 00", "len=7 disp=3/4" },
	{ "modrm-sib", "8b 0c 8d 00 10 00 00", "len=7 disp=3/4" },
	{ "modrm-sib", "8b 44 05 00", "len=4 disp=3/1" },
	{ "modrm-sib", "41 8b 45 00", "len=4 rex=41 disp=3/1" },
	{ "modrm-sib", "41 8b 04 24", "len=4 sib=3" },
	{ "modrm-sib", "43 8b 04 2c", "len=4 sib=3" },
	{ "modrm-sib", "48 8b 05 00 00 00 00", "len=7 modrm=2 disp=3/4 rip=1" },
	{ "modrm-sib", "48 8d 05 00 00 00 00", "len=7 op=8d rip=1" },
	{ "modrm-sib", "67 8b 05 00 00 00 00", "len=7 rip=1 pfx=2" },
	{ "modrm-sib", "48 0f be 05 00 00 00 00", "len=8 map=0f op=be rip=1" },
	{ "modrm-sib", "c7 05 00 00 00 00 01 00 00 00",
	  "len=10 rip=1 disp=2/4 imm=6/4" },
	{ "modrm-sib", "80 3d 00 00 00 00 00", "len=7 rip=1 imm=6/1" },
	{ "modrm-sib", "0f 20 c0", "len=3 modrm=2" },
	{ "modrm-sib", "0f 20 00", "len=3 disp=-" },
	{ "modrm-sib", "0f 21 05", "len=3 rip=0 disp=-" },
	{ "modrm-sib", "0f 22 d8", "len=3" },
	{ "modrm-sib", "0f 23 04", "len=3 sib=-1" },

	/* per-CPU (%gs:) forms */
	{ "percpu-gs", "65 48 8b 05 00 00 00 00",
	  "len=8 seg=65 pfx=20 rex=48 op=8b modrm=3 disp=4/4 rip=1" },
	{ "percpu-gs", "65 48 8b 04 25 28 00 00 00",
	  "len=9 seg=65 sib=4 disp=5/4 rip=0" },
	{ "percpu-gs", "65 8b 05 00 00 00 00", "len=7 rip=1" },
	{ "percpu-gs", "65 ff 05 00 00 00 00", "len=7 rip=1" },
	{ "percpu-gs", "65 48 03 05 00 00 00 00", "len=8 rip=1" },
	{ "percpu-gs", "65 c7 05 00 00 00 00 01 00 00 00", "len=11 imm=7/4" },
	{ "percpu-gs", "64 48 8b 04 25 00 00 00 00", "len=9 seg=64" },
	{ "percpu-gs", "2e 3e 65 8b 00", "len=5 seg=65" },

	/* multi-byte nops, endbr, ud */
	{ "nops", "0f 1f 00", "len=3 map=0f op=1f" },
	{ "nops", "0f 1f 40 00", "len=4" },
	{ "nops", "0f 1f 44 00 00", "len=5 sib=3 disp=4/1" },
	{ "nops", "66 0f 1f 44 00 00", "len=6" },
	{ "nops", "0f 1f 80 00 00 00 00", "len=7" },
	{ "nops", "0f 1f 84 00 00 00 00 00", "len=8" },
	{ "nops", "66 0f 1f 84 00 00 00 00 00", "len=9" },
	{ "nops", "2e 0f 1f 84 00 00 00 00 00", "len=9 seg=2e" },
	{ "nops", "66 2e 0f 1f 84 00 00 00 00 00", "len=10" },
	{ "nops", "66 66 2e 0f 1f 84 00 00 00 00 00", "len=11" },
	{ "nops", "f3 0f 1e fa", "len=4 op=1e pfx=8 modrm=3" },
	{ "nops", "66 0f 1f 00", "len=4" },
	{ "nops", "0f 0b", "len=2 op=0b modrm=-1" },
	{ "nops", "0f b9 00", "len=3" },
	{ "nops", "0f ff 00", "len=3" },
	{ "nops", "0f 18 08", "len=3" },
	{ "nops", "0f 0d 08", "len=3" },

	/* other 0F, 0F38, 0F3A forms */
	{ "map-0f", "0f 05", "len=2" },
	{ "map-0f", "0f a2", "len=2" },
	{ "map-0f", "0f 31", "len=2" },
	{ "map-0f", "0f b6 c0", "len=3" },
	{ "map-0f", "0f 44 c0", "len=3" },
	{ "map-0f", "0f 94 c0", "len=3" },
	{ "map-0f", "f3 48 0f b8 c0", "len=5 rex=48" },
	{ "map-0f", "f0 48 0f b1 0f", "len=5 pfx=10" },
	{ "map-0f", "0f c8", "len=2 modrm=-1" },
	{ "map-0f", "0f 38 f0 07", "len=4 map=38 op=f0" },
	{ "map-0f", "f2 0f 38 f1 c0", "len=5" },
	{ "map-0f", "66 0f 3a 22 c0 01", "len=6 imm=5/1" },
	{ "map-0f", "66 0f 6f 05 00 00 00 00", "len=8 rip=1" },
	{ "map-0f", "0f 77", "len=2 modrm=-1" },

	/* VEX */
	{ "vex", "c5 f8 77", "len=3 vex=vex2 map=0f op=77 opc=2 modrm=-1" },
	{ "vex", "c5 fc 77", "len=3" },
	{ "vex", "c5 f9 6f 05 00 00 00 00", "len=8 vex=vex2 rip=1 disp=4/4" },
	{ "vex", "c5 fa 7f 44 24 08", "len=6 sib=4 disp=5/1" },
	{ "vex", "c5 f9 70 c0 1b", "len=5 imm=4/1" },
	{ "vex", "c5 f9 c6 c0 01", "len=5 imm=4/1" },
	{ "vex", "c4 e2 79 18 00", "len=5 vex=vex3 map=38 op=18 opc=3" },
	{ "vex", "c4 e3 79 0f c1 08", "len=6 map=3a imm=5/1" },
	{ "vex", "c4 e1 f9 7e c0", "len=5 map=0f rex=0" },
	{ "vex", "c4 e2 78 f2 c0", "len=5" },
	{ "vex", "c4 e3 fb f0 c0 05", "len=6 imm=5/1" },
	{ "vex", "2e c5 f8 77", "len=4 seg=2e" },
	{ "vex", "c4 e0 78 10 c0", "invalid" },
	{ "vex", "c4 e4 78 10 c0", "invalid" },
	{ "vex", "66 c5 f8 77", "invalid" },
	{ "vex", "48 c5 f8 77", "invalid" },
	{ "vex", "f3 c4 e1 7a 10 c0", "invalid" },

	/* EVEX */
	{ "evex", "62 f1 7c 48 10 40 01",
	  "len=7 vex=evex map=0f op=10 opc=4 modrm=5 disp=6/1" },
	{ "evex", "62 f1 fd 48 6f 05 00 00 00 00", "len=10 rip=1" },
	{ "evex", "62 f3 fd 48 00 c0 1b", "len=7 map=3a imm=6/1" },
	{ "evex", "62 f2 7d 48 18 00", "len=6 map=38 imm=-" },
	{ "evex", "62 f1 7c 48 c2 c0 00", "len=7 imm=6/1" },
	{ "evex", "62 f5 7c 48 58 c0", "len=6 map=e5" },
	{ "evex", "62 f6 7d 48 4c c0", "len=6 map=e6" },
	{ "evex", "62 f4 7c 48 10 c0", "invalid" },
	{ "evex", "62 f1 78 48 10 c0", "invalid" },
	{ "evex", "62 f9 7c 48 10 c0", "invalid" },

	/* XOP versus pop r/m */
	{ "xop-pop", "8f c0", "len=2 op=8f vex=none modrm=1" },
	{ "xop-pop", "8f 00", "len=2" },
	{ "xop-pop", "8f 40 08", "len=3 disp=2/1" },
	{ "xop-pop", "8f 04 24", "len=3 sib=2" },
	{ "xop-pop", "41 8f 07", "len=3" },
	{ "xop-pop", "8f 20", "invalid" },
	{ "xop-pop", "8f e8 78 c0 c0 00", "len=6 vex=xop map=x8 op=c0 imm=5/1" },
	{ "xop-pop", "8f e9 78 81 c0", "len=5 map=x9 imm=-" },
	{ "xop-pop", "8f ea 78 10 c0 00 00 00 00", "len=9 map=xa imm=5/4" },
	{ "xop-pop", "8f eb 78 10 c0", "invalid" },

	/* x87 */
	{ "x87", "d9 e8", "len=2" },
	{ "x87", "dd 05 00 00 00 00", "len=6 rip=1" },
	{ "x87", "df e0", "len=2" },
	{ "x87", "db e3", "len=2" },
	{ "x87", "d9 7c 24 fe", "len=4" },

	/* prefixes: REX position, repeats, string ops */
	{ "prefixes", "40 48 90", "len=3 rex=48" },
	{ "prefixes", "48 66 90", "len=3 rex=0 pfx=1" },
	{ "prefixes", "48 f0 ff 00", "len=4 rex=0 pfx=10" },
	{ "prefixes", "f0 ff 00", "len=3" },
	{ "prefixes", "f2 ae", "len=2 pfx=4" },
	{ "prefixes", "f3 48 a5", "len=3 rex=48 pfx=8" },
	{ "prefixes", "66 66 66 66 90", "len=5 pfx=1" },
	{ "prefixes", "66 67 f2 f3 f0 26 90", "len=7 pfx=3f seg=26" },

	/* the 15-byte limit */
	{ "too-long", "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90",
	  "len=15 opc=14" },
	{ "too-long", "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90",
	  "toolong" },
	{ "too-long", "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 66",
	  "toolong" },
	{ "too-long", "66 66 66 66 66 48 b8 88 77 66 55 44 33 22 11", "len=15" },
	{ "too-long", "66 66 66 66 66 66 48 b8 88 77 66 55 44 33 22 11",
	  "toolong" },
	{ "too-long", "26 2e 36 3e 64 65 f0 67 48 81 84 24 01 00 00 00 02 00 00 00",
	  "toolong" },
	{ "too-long", "f0 67 48 81 84 24 01 00 00 00 02 00 00 00", "len=14" },

	/* an empty or short buffer */
	{ "truncated", "", "trunc" },
	{ "truncated", "66", "trunc" },
	{ "truncated", "48", "trunc" },
	{ "truncated", "0f", "trunc" },
	{ "truncated", "0f 38", "trunc" },
	{ "truncated", "c5", "trunc" },
	{ "truncated", "c4 e2", "trunc" },
	{ "truncated", "62 f1 7c", "trunc" },
	{ "truncated", "8f", "trunc" },
	{ "truncated", "48 b8 00 00 00 00 00 00 00", "trunc" },
};

static int parse_hex(const char *s, u8 *out, unsigned int max)
{
	unsigned int n = 0;
	char *end;

	for (;;) {
		unsigned long v;

		while (*s == ' ')
			s++;
		if (!*s)
			return n;
		v = strtoul(s, &end, 16);
		if (end == s || v > 0xff || n == max)
			return -1;
		out[n++] = (u8)v;
		s = end;
	}
}

static int map_code(const char *s)
{
	static const char *const names[] = {
		"1b", "0f", "38", "3a", "x8", "x9", "xa", "e5", "e6",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int vex_code(const char *s)
{
	static const char *const names[] = {
		"none", "vex2", "vex3", "evex", "xop",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/* Check one key=value against the decoded insn; 0 if it holds. */
static int check_kv(const struct fbt_insn *in, const char *key,
		    const char *val, char *why, size_t wsz)
{
	long want = 0, got = 0, want2 = 0, got2 = 0;
	bool pair = false;

	if (!strcmp(key, "disp") || !strcmp(key, "imm")) {
		pair = true;
		if (!strcmp(val, "-")) {
			want = -1;
			want2 = 0;
		} else if (sscanf(val, "%ld/%ld", &want, &want2) != 2) {
			snprintf(why, wsz, "bad spec %s=%s", key, val);
			return 1;
		}
		if (key[0] == 'd') {
			got = in->disp_off;
			got2 = in->disp_size;
		} else {
			got = in->imm_off;
			got2 = in->imm_size;
		}
	} else if (!strcmp(key, "map")) {
		want = map_code(val);
		got = in->map;
	} else if (!strcmp(key, "vex")) {
		want = vex_code(val);
		got = in->vex;
	} else {
		int base = 10;

		if (!strcmp(key, "op") || !strcmp(key, "rex") ||
		    !strcmp(key, "pfx") || !strcmp(key, "seg"))
			base = 16;
		want = strtol(val, NULL, base);
		if (!strcmp(key, "len"))
			got = in->len;
		else if (!strcmp(key, "op"))
			got = in->opcode;
		else if (!strcmp(key, "opc"))
			got = in->opc_off;
		else if (!strcmp(key, "modrm"))
			got = in->modrm_off;
		else if (!strcmp(key, "sib"))
			got = in->sib_off;
		else if (!strcmp(key, "rip"))
			got = in->rip_rel;
		else if (!strcmp(key, "rex"))
			got = in->rex;
		else if (!strcmp(key, "pfx"))
			got = in->pfx;
		else if (!strcmp(key, "seg"))
			got = in->seg;
		else {
			snprintf(why, wsz, "unknown key %s", key);
			return 1;
		}
	}
	if (got == want && (!pair || got2 == want2))
		return 0;
	if (pair)
		snprintf(why, wsz, "%s: want %s, got %ld/%ld", key, val, got, got2);
	else
		snprintf(why, wsz, "%s: want %s, got %lx", key, val, got);
	return 1;
}

static const char *ret_name(int r)
{
	switch (r) {
	case FBT_DECODE_OK:
		return "ok";
	case FBT_DECODE_TRUNCATED:
		return "trunc";
	case FBT_DECODE_INVALID:
		return "invalid";
	case FBT_DECODE_TOO_LONG:
		return "toolong";
	default:
		return "?";
	}
}

/* Run one case; on failure write the reason into why. */
static int run_case(const struct tcase *c, char *why, size_t wsz)
{
	u8 buf[32];
	struct fbt_insn in;
	char spec[256], *tok, *save;
	int n, r, i;

	n = parse_hex(c->bytes, buf, sizeof(buf));
	if (n < 0) {
		snprintf(why, wsz, "bad bytes");
		return 1;
	}
	r = fbt_insn_decode(&in, buf, n);
	if (!strcmp(c->expect, "invalid") || !strcmp(c->expect, "trunc") ||
	    !strcmp(c->expect, "toolong")) {
		if (!strcmp(ret_name(r), c->expect))
			return 0;
		snprintf(why, wsz, "want %s, got %s (len %u)", c->expect,
			 ret_name(r), in.len);
		return 1;
	}
	if (r != FBT_DECODE_OK) {
		snprintf(why, wsz, "want ok, got %s", ret_name(r));
		return 1;
	}
	snprintf(spec, sizeof(spec), "%s", c->expect);
	for (tok = strtok_r(spec, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq) {
			snprintf(why, wsz, "bad spec %s", tok);
			return 1;
		}
		*eq = '\0';
		if (check_kv(&in, tok, eq + 1, why, wsz))
			return 1;
	}
	/* Truncation at every shorter length, and trailing bytes ignored. */
	for (i = 0; i < in.len; i++) {
		struct fbt_insn t;

		r = fbt_insn_decode(&t, buf, i);
		if (r != FBT_DECODE_TRUNCATED) {
			snprintf(why, wsz, "buflen %d: want trunc, got %s", i,
				 ret_name(r));
			return 1;
		}
	}
	if (n == in.len) {
		struct fbt_insn t;

		memset(buf + n, 0xcc, sizeof(buf) - n);
		r = fbt_insn_decode(&t, buf, sizeof(buf));
		if (r != FBT_DECODE_OK || t.len != in.len) {
			snprintf(why, wsz, "with trailing bytes: %s len %u",
				 ret_name(r), t.len);
			return 1;
		}
	}
	return 0;
}

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Random sweep: the buffer's last byte is the last byte before a PROT_NONE
 * page, so any read past buflen faults. Also check the fields for
 * consistency and that a decode is stable under truncation.
 */
static int random_sweep(unsigned long iters, char *why, size_t wsz)
{
	static const u8 pfx[] = { 0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x65,
				  0x48, 0x41, 0x0f, 0x0f, 0xc4, 0xc5, 0x62,
				  0x8f, 0x38, 0x3a };
	long pg = sysconf(_SC_PAGESIZE);
	u8 *map, *end;
	unsigned long it;

	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || mprotect(map + pg, pg, PROT_NONE)) {
		snprintf(why, wsz, "mmap failed");
		return 1;
	}
	end = map + pg;
	for (it = 0; it < iters; it++) {
		u8 b[16];
		unsigned int len, i;
		struct fbt_insn in, t;
		int r;

		for (i = 0; i < 16; i++)
			b[i] = (rnd() & 3) ? (u8)rnd() :
				pfx[rnd() % sizeof(pfx)];
		len = rnd() % 17;
		memcpy(end - len, b, len);
		r = fbt_insn_decode(&in, end - len, len);
		if (r != FBT_DECODE_OK)
			continue;
		if (in.len < 1 || in.len > len || in.len > FBT_INSN_MAX ||
		    in.opc_off >= in.len ||
		    (in.modrm_off >= 0 && (in.modrm_off <= in.opc_off ||
					   in.modrm_off >= in.len)) ||
		    (in.sib_off >= 0 && in.sib_off != in.modrm_off + 1) ||
		    (in.disp_off >= 0 &&
		     in.disp_off + in.disp_size > in.len) ||
		    (in.imm_off >= 0 && in.imm_off + in.imm_size != in.len) ||
		    (in.rip_rel && (in.disp_size != 4 || in.sib_off >= 0))) {
			snprintf(why, wsz, "inconsistent fields (len %u) at iteration %lu",
				 in.len, it);
			return 1;
		}
		r = fbt_insn_decode(&t, end - len, in.len);
		if (r != FBT_DECODE_OK || t.len != in.len) {
			snprintf(why, wsz, "unstable under truncation at iteration %lu",
				 it);
			return 1;
		}
		if (fbt_insn_decode(&t, end - len, in.len - 1) !=
		    FBT_DECODE_TRUNCATED) {
			snprintf(why, wsz, "len-1 not truncated at iteration %lu",
				 it);
			return 1;
		}
	}
	munmap(map, 2 * pg);
	return 0;
}

int main(void)
{
	unsigned int ncases = sizeof(cases) / sizeof(cases[0]);
	unsigned int i = 0, fails = 0, groups = 0;
	char why[512];

	while (i < ncases) {
		const char *g = cases[i].group;
		unsigned int n = 0, bad = 0;
		char first[768] = "";

		for (; i < ncases && !strcmp(cases[i].group, g); i++) {
			n++;
			if (run_case(&cases[i], why, sizeof(why))) {
				if (!bad++)
					snprintf(first, sizeof(first), "[%s] %s",
						 cases[i].bytes, why);
			}
		}
		groups++;
		if (bad) {
			fails++;
			printf("not ok decode-%s %u of %u cases failed, first: %s\n",
			       g, bad, n, first);
		} else {
			printf("ok decode-%s (%u cases)\n", g, n);
		}
	}
	groups++;
	if (random_sweep(2000000, why, sizeof(why))) {
		fails++;
		printf("not ok decode-random-sweep %s\n", why);
	} else {
		printf("ok decode-random-sweep (2000000 buffers, reads bounded by buflen)\n");
	}
	return fails ? 1 : 0;
}
