// SPDX-License-Identifier: GPL-2.0
/*
 * The forms the differential test tries: 90-9f with every prefix variant
 * first, then every one-byte and 0f opcode x ModRM shape x prefix variant,
 * plus the multi-byte nops the kernel uses. The caller keeps the forms
 * fbt_emul_prepare() accepts. An instance of a form is a concrete
 * encoding (random registers, displacement, immediate) with the state
 * adjusted so every memory access lands in the data area and every branch
 * on a landing pad.
 *
 * The opcode layout table below is our own, not the decoder's: a length
 * the decoder gets wrong shows up as a wrong fall-through ip.
 */
#include <stdio.h>
#include <string.h>

#include "cpu_diff.h"

/* opcode table: bits 0-2 flags, bits 4-7 immediate kind */
#define M	0x01	/* ModRM */
#define G	0x02	/* group: ModRM reg is an opcode extension */
#define X	0x04	/* prefix, escape or invalid: no form */
#define I8	0x10
#define IZ	0x20	/* 2 or 4 */
#define I16	0x30
#define IV	0x40	/* 2, 4 or 8 (b8-bf) */
#define MO	0x50	/* moffs: 8 */
#define R8	0x60	/* rel8 */
#define R32	0x70	/* rel32 */
#define EN	0x80	/* enter: 2 + 1 */
#define IF6	0x90	/* imm8 for /0 and /1 only */
#define IF7	0xa0	/* immz for /0 and /1 only */

#define ALU4	M, M, M, M, I8, IZ

static const u8 op1b[256] = {
	/* 00 */ ALU4, X, X, ALU4, X, X,
	/* 10 */ ALU4, X, X, ALU4, X, X,
	/* 20 */ ALU4, X, X, ALU4, X, X,
	/* 30 */ ALU4, X, X, ALU4, X, X,
	/* 40 */ X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	/* 50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 60 */ X, X, X, M, X, X, X, X, IZ, M | IZ, I8, M | I8, 0, 0, 0, 0,
	/* 70 */ R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8,
	/* 80 */ M | G | I8, M | G | IZ, X, M | G | I8, M, M, M, M,
		 M, M, M, M, M, M, M, M | G,
	/* 90 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, X, 0, 0, 0, 0, 0,
	/* a0 */ MO, MO, MO, MO, 0, 0, 0, 0, I8, IZ, 0, 0, 0, 0, 0, 0,
	/* b0 */ I8, I8, I8, I8, I8, I8, I8, I8, IV, IV, IV, IV, IV, IV, IV, IV,
	/* c0 */ M | G | I8, M | G | I8, I16, 0, X, X, M | G | I8, M | G | IZ,
		 EN, 0, I16, 0, 0, I8, X, 0,
	/* d0 */ M | G, M | G, M | G, M | G, X, X, X, 0,
		 M | G, M | G, M | G, M | G, M | G, M | G, M | G, M | G,
	/* e0 */ R8, R8, R8, R8, I8, I8, I8, I8, R32, R32, X, R8, 0, 0, 0, 0,
	/* f0 */ X, 0, X, X, 0, 0, M | G | IF6, M | G | IF7,
		 0, 0, 0, 0, 0, 0, M | G, M | G,
};

static u8 op0f(u8 op)
{
	switch (op) {
	case 0x00: case 0x01: case 0x0d: case 0x18: case 0x19: case 0x1a: case 0x1b:
	case 0x1c: case 0x1d: case 0x1e: case 0x1f: case 0xae: case 0xb9:
	case 0xc7:
		return M | G;
	case 0x71: case 0x72: case 0x73: case 0xba:
		return M | G | I8;
	case 0x70: case 0xa4: case 0xac: case 0xc2: case 0xc4: case 0xc5:
	case 0xc6:
		return M | I8;
	case 0x04: case 0x0a: case 0x0c: case 0x0f: case 0x24: case 0x25:
	case 0x26: case 0x27: case 0x36: case 0x38: case 0x39: case 0x3a:
	case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f: case 0x7a:
	case 0x7b: case 0xa6: case 0xa7:
		return X;
	case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0b:
	case 0x0e: case 0x30: case 0x31: case 0x32: case 0x33: case 0x34:
	case 0x35: case 0x37: case 0x77: case 0xa0: case 0xa1: case 0xa2:
	case 0xa8: case 0xa9: case 0xaa:
		return 0;
	}
	if (op >= 0x80 && op < 0x90)
		return R32;
	if (op >= 0xc8 && op < 0xd0)
		return 0;
	return M;
}

static u8 op_info(bool map0f, u8 op)
{
	return map0f ? op0f(op) : op1b[op];
}

/* ---- names -------------------------------------------------------------- */

static const char *const cc_name[16] = {
	"o", "no", "b", "ae", "e", "ne", "be", "a",
	"s", "ns", "p", "np", "l", "ge", "le", "g",
};

static const char *const alu_name[8] = {
	"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp",
};

static const char *const shift_name[8] = {
	"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar",
};

static const char *const g3_name[8] = {
	"test", "test", "not", "neg", "mul", "imul", "div", "idiv",
};

static const char *const g5_name[8] = {
	"inc", "dec", "call *", "lcall *", "jmp *", "ljmp *", "push", "(bad)",
};

static const char *const x9_name[16] = {
	"nop/xchg %eax,%r8d", "xchg %ecx,%eax", "xchg %edx,%eax",
	"xchg %ebx,%eax", "xchg %esp,%eax", "xchg %ebp,%eax",
	"xchg %esi,%eax", "xchg %edi,%eax", "cbw/cwde/cltq", "cwd/cdq/cqo",
	"(bad)", "fwait", "pushf", "popf", "sahf", "lahf",
};

static void name_1b(u8 op, int ext, char *b, size_t n)
{
	static const char *const alu_form[6] = {
		"Eb,Gb", "Ev,Gv", "Gb,Eb", "Gv,Ev", "al,Ib", "eAX,Iz",
	};
	const char *s = NULL;

	if (op < 0x40 && (op & 7) < 6) {
		snprintf(b, n, "%s %s", alu_name[op >> 3], alu_form[op & 7]);
		return;
	}
	if (op >= 0x50 && op < 0x60) {
		snprintf(b, n, "%s %%r%u", op < 0x58 ? "push" : "pop", op & 7);
		return;
	}
	if (op >= 0x70 && op < 0x80) {
		snprintf(b, n, "j%s rel8", cc_name[op & 15]);
		return;
	}
	if (op >= 0x90 && op < 0xa0) {
		snprintf(b, n, "%s", x9_name[op & 15]);
		return;
	}
	if (op >= 0xb0 && op < 0xc0) {
		snprintf(b, n, "mov $imm,%%r%u%s", op & 7, op < 0xb8 ? "b" : "");
		return;
	}
	switch (op) {
	case 0x80: case 0x81: case 0x83:
		snprintf(b, n, "%s E%c,I%c", alu_name[ext], op == 0x80 ? 'b' : 'v',
			 op == 0x81 ? 'z' : 'b');
		return;
	case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
		snprintf(b, n, "%s E%c,%s", shift_name[ext], op & 1 ? 'v' : 'b',
			 op < 0xc2 ? "Ib" : op < 0xd2 ? "1" : "cl");
		return;
	case 0xf6: case 0xf7:
		snprintf(b, n, "%s E%c", g3_name[ext], op & 1 ? 'v' : 'b');
		return;
	case 0xfe: case 0xff:
		snprintf(b, n, "%s E%c", g5_name[ext], op & 1 ? 'v' : 'b');
		return;
	case 0x63: s = "movsxd Gv,Ed"; break;
	case 0x68: s = "push Iz"; break;
	case 0x69: s = "imul Gv,Ev,Iz"; break;
	case 0x6a: s = "push Ib"; break;
	case 0x6b: s = "imul Gv,Ev,Ib"; break;
	case 0x84: s = "test Eb,Gb"; break;
	case 0x85: s = "test Ev,Gv"; break;
	case 0x86: s = "xchg Eb,Gb"; break;
	case 0x87: s = "xchg Ev,Gv"; break;
	case 0x88: s = "mov Eb,Gb"; break;
	case 0x89: s = "mov Ev,Gv"; break;
	case 0x8a: s = "mov Gb,Eb"; break;
	case 0x8b: s = "mov Gv,Ev"; break;
	case 0x8c: s = "mov Ev,Sw"; break;
	case 0x8d: s = "lea Gv,M"; break;
	case 0x8e: s = "mov Sw,Ew"; break;
	case 0x8f: s = "pop Ev"; break;
	case 0xa0: s = "mov al,Ob"; break;
	case 0xa1: s = "mov eAX,Ov"; break;
	case 0xa2: s = "mov Ob,al"; break;
	case 0xa3: s = "mov Ov,eAX"; break;
	case 0xa8: s = "test al,Ib"; break;
	case 0xa9: s = "test eAX,Iz"; break;
	case 0xc2: s = "ret Iw"; break;
	case 0xc3: s = "ret"; break;
	case 0xc6: s = ext ? "c6 group" : "mov Eb,Ib"; break;
	case 0xc7: s = ext ? "c7 group" : "mov Ev,Iz"; break;
	case 0xc8: s = "enter"; break;
	case 0xc9: s = "leave"; break;
	case 0xe8: s = "call rel32"; break;
	case 0xe9: s = "jmp rel32"; break;
	case 0xeb: s = "jmp rel8"; break;
	case 0xf5: s = "cmc"; break;
	case 0xf8: s = "clc"; break;
	case 0xf9: s = "stc"; break;
	case 0xfc: s = "cld"; break;
	case 0xfd: s = "std"; break;
	}
	if (s)
		snprintf(b, n, "%s", s);
	else if (ext >= 0)
		snprintf(b, n, "/%d", ext);
	else
		snprintf(b, n, "?");
}

static void name_0f(u8 op, int ext, char *b, size_t n)
{
	static const char *const bt_name[4] = { "bt", "bts", "btr", "btc" };
	const char *s = NULL;

	if (op >= 0x40 && op < 0x50) {
		snprintf(b, n, "cmov%s Gv,Ev", cc_name[op & 15]);
		return;
	}
	if (op >= 0x80 && op < 0x90) {
		snprintf(b, n, "j%s rel32", cc_name[op & 15]);
		return;
	}
	if (op >= 0x90 && op < 0xa0) {
		snprintf(b, n, "set%s Eb", cc_name[op & 15]);
		return;
	}
	if (op >= 0xc8 && op < 0xd0) {
		snprintf(b, n, "bswap %%r%u", op & 7);
		return;
	}
	switch (op) {
	case 0x0d: s = "prefetch M"; break;
	case 0x18: s = "prefetchh M"; break;
	case 0x1f: s = "nop Ev"; break;
	case 0xa3: case 0xab: case 0xb3: case 0xbb:
		snprintf(b, n, "%s Ev,Gv", bt_name[(op >> 3) & 3]);
		return;
	case 0xba:
		if (ext >= 4) {
			snprintf(b, n, "%s Ev,Ib", bt_name[ext - 4]);
			return;
		}
		break;
	case 0xb6: s = "movzb Gv,Eb"; break;
	case 0xb7: s = "movzw Gv,Ew"; break;
	case 0xbe: s = "movsb Gv,Eb"; break;
	case 0xbf: s = "movsw Gv,Ew"; break;
	}
	if (s)
		snprintf(b, n, "%s", s);
	else if (ext >= 0)
		snprintf(b, n, "/%d", ext);
	else
		snprintf(b, n, "?");
}

void cd_form_family_name(const struct cd_form *f, char *buf, size_t n)
{
	char nm[48];

	if (f->nop) {
		snprintf(buf, n, "nops: multi-byte nops of the kernel and GCC");
		return;
	}
	if (f->map0f)
		name_0f(f->op, f->ext, nm, sizeof(nm));
	else
		name_1b(f->op, f->ext, nm, sizeof(nm));
	if (f->ext >= 0)
		snprintf(buf, n, "%s%02x/%d %s", f->map0f ? "0f " : "", f->op,
			 f->ext, nm);
	else
		snprintf(buf, n, "%s%02x %s", f->map0f ? "0f " : "", f->op, nm);
}

static const char *const shape_name[CD_SH_NR] = {
	[CD_SH_NONE] = "", [CD_SH_REG] = "reg", [CD_SH_MEM] = "mem",
	[CD_SH_SIB] = "sib", [CD_SH_ABS] = "abs", [CD_SH_RIP] = "rip",
	[CD_SH_FIXED] = "",
};

void cd_form_variant(const struct cd_form *f, char *buf, size_t n)
{
	size_t o = 0;
	unsigned int i;

	buf[0] = 0;
	if (f->shape == CD_SH_FIXED) {
		for (i = 0; i < f->nfixed && o + 4 < n; i++)
			o += snprintf(buf + o, n - o, "%s%02x", i ? " " : "",
				      f->fixed[i]);
		return;
	}
	for (i = 0; i < f->npfx && o + 4 < n; i++)
		o += snprintf(buf + o, n - o, "%02x ", f->pfx[i]);
	if (f->rex && o + 8 < n)
		o += snprintf(buf + o, n - o, "%s ",
			      f->rex & 8 ? "REX.W" : "REX");
	if (o + 8 < n)
		snprintf(buf + o, n - o, "%s", shape_name[f->shape]);
	if (o && !shape_name[f->shape][0])
		buf[o - 1] = 0;
}

/* ---- enumeration ---------------------------------------------------------- */

struct pfxv {
	u8 pfx[2];
	u8 npfx;
	u8 rex;		/* 0x40 or 0x48, RXB random */
};

/* Prefix variants tried on every opcode. */
static const struct pfxv variants[] = {
	{ {0}, 0, 0 },
	{ {0x66}, 1, 0 },
	{ {0}, 0, 0x40 },
	{ {0}, 0, 0x48 },
	{ {0x66}, 1, 0x48 },
	{ {0x66}, 1, 0x40 },
	{ {0xf3}, 1, 0 },
	{ {0xf2}, 1, 0 },
	{ {0x65}, 1, 0 },
	{ {0x65}, 1, 0x40 },
	{ {0x65}, 1, 0x48 },
	{ {0x65, 0x66}, 2, 0 },
	{ {0x2e}, 1, 0 },
	{ {0x3e}, 1, 0x48 },
	{ {0x26}, 1, 0 },
	{ {0x36}, 1, 0 },
	{ {0x64}, 1, 0 },
	{ {0x67}, 1, 0 },
	{ {0x67}, 1, 0x48 },
	{ {0xf0}, 1, 0 },
	{ {0xf0}, 1, 0x48 },
};

/* 90-9f: legacy prefix sets, each also with every REX byte */
static const struct {
	u8 pfx[2];
	u8 npfx;
} pfx9x[] = {
	{ {0}, 0 }, { {0x66}, 1 }, { {0xf3}, 1 }, { {0xf2}, 1 },
	{ {0x66, 0xf3}, 2 }, { {0xf3, 0x66}, 2 }, { {0x66, 0x66}, 2 },
	{ {0x2e}, 1 }, { {0x3e}, 1 }, { {0x26}, 1 }, { {0x36}, 1 },
	{ {0x64}, 1 }, { {0x65}, 1 }, { {0x67}, 1 }, { {0xf0}, 1 },
};

/* The multi-byte nops of the kernel and of GCC/binutils. */
static const char *const nops[] = {
	"0f 1f 00", "0f 1f 40 00", "0f 1f 44 00 00", "66 0f 1f 44 00 00",
	"0f 1f 80 00 00 00 00", "0f 1f 84 00 00 00 00 00",
	"66 0f 1f 84 00 00 00 00 00", "66 2e 0f 1f 84 00 00 00 00 00",
	"66 66 2e 0f 1f 84 00 00 00 00 00",
	"66 66 66 2e 0f 1f 84 00 00 00 00 00",
	"66 66 66 66 2e 0f 1f 84 00 00 00 00 00",
	"2e 0f 1f 84 00 00 00 00 00", "3e 0f 1f 44 00 00", "66 66 90",
	"f3 0f 1e fa", "f3 0f 1e fb", "3e 8d 74 26 00", "8d 76 00",
	"48 8d 76 00", "48 8d 74 26 00", "48 8d b4 26 00 00 00 00",
	"4c 8d 64 24 00", "48 89 e4", "48 89 ed", "66 0f 1f 00",
};

static unsigned int parse_hex(const char *s, u8 *out)
{
	unsigned int n = 0, v;
	int k;

	while (*s && n < 15) {
		if (sscanf(s, "%2x%n", &v, &k) != 1)
			break;
		out[n++] = (u8)v;
		s += k;
		while (*s == ' ')
			s++;
	}
	return n;
}

static void add_fixed(struct cd_form *out, unsigned int *n, unsigned int max,
		      const u8 *b, unsigned int len, bool map0f, u8 op)
{
	struct cd_form *f;

	if (*n >= max)
		return;
	f = &out[(*n)++];
	memset(f, 0, sizeof(*f));
	f->shape = CD_SH_FIXED;
	memcpy(f->fixed, b, len);
	f->nfixed = len;
	f->map0f = map0f;
	f->op = op;
	f->ext = -1;
}

unsigned int cd_forms_enumerate(struct cd_form *out, unsigned int max,
				unsigned int *n9x)
{
	unsigned int n = 0, op, p, r, v, m, shape, k;
	u8 b[15];
	int ext;

	/* 90-9f, every prefix variant */
	for (op = 0x90; op < 0xa0; op++) {
		for (p = 0; p < sizeof(pfx9x) / sizeof(pfx9x[0]); p++) {
			for (r = 0; r <= 16; r++) {
				k = 0;
				memcpy(b, pfx9x[p].pfx, pfx9x[p].npfx);
				k = pfx9x[p].npfx;
				if (r)
					b[k++] = 0x40 + r - 1;
				b[k++] = op;
				add_fixed(out, &n, max, b, k, false, op);
			}
		}
	}

	/*
	 * A REX that a legacy prefix or another REX follows is ignored:
	 * 48 66 98 is cbw, 41 48 90 is nop. A few of those.
	 */
	for (op = 0x90; op < 0xa0; op++) {
		static const u8 pre[] = { 0x48, 0x41 }, mid[] = { 0, 0x66, 0x2e };
		static const u8 last[] = { 0, 0x40, 0x41, 0x48, 0x49 };

		for (p = 0; p < sizeof(pre); p++) {
			for (v = 0; v < sizeof(mid); v++) {
				for (r = 0; r < sizeof(last); r++) {
					k = 0;
					b[k++] = pre[p];
					if (mid[v])
						b[k++] = mid[v];
					if (last[r])
						b[k++] = last[r];
					b[k++] = op;
					add_fixed(out, &n, max, b, k, false, op);
				}
			}
		}
	}
	*n9x = n;

	/* the multi-byte nops, by their bytes */
	for (k = 0; k < sizeof(nops) / sizeof(nops[0]); k++) {
		unsigned int len = parse_hex(nops[k], b), o = 0;

		while (o < len && b[o] != 0x0f && b[o] != 0x8d && b[o] != 0x89 &&
		       b[o] != 0x90)
			o++;
		if (o < len && b[o] == 0x0f)
			add_fixed(out, &n, max, b, len, true, b[o + 1]);
		else if (o < len)
			add_fixed(out, &n, max, b, len, false, b[o]);
		out[n - 1].nop = true;
	}

	/* every opcode x prefix variant x shape */
	for (m = 0; m < 2; m++) {
		for (op = 0; op < 256; op++) {
			u8 info = op_info(m, op);

			if (info & X)
				continue;
			if (!m && op >= 0x90 && op < 0xa0)
				continue;
			for (ext = (info & G) ? 0 : -1; ext < ((info & G) ? 8 : 0); ext++) {
				for (shape = CD_SH_NONE; shape <= CD_SH_RIP; shape++) {
					if ((info & M) ? shape == CD_SH_NONE : shape != CD_SH_NONE)
						continue;
					for (v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
						struct cd_form *f;

						if (n >= max)
							return n;
						f = &out[n++];
						memset(f, 0, sizeof(*f));
						memcpy(f->pfx, variants[v].pfx, variants[v].npfx);
						f->npfx = variants[v].npfx;
						f->rex = variants[v].rex;
						f->rex_rand = f->rex != 0;
						f->map0f = m;
						f->op = op;
						f->ext = ext;
						f->shape = shape;
					}
				}
			}
		}
	}
	return n;
}

/* ---- instances ------------------------------------------------------------ */

static void put(struct cd_inst *in, const void *p, unsigned int len)
{
	memcpy(in->bytes + in->len, p, len);
	in->len += len;
}

static u8 *data_lo(void)
{
	return cd_cpu_data();
}

/* A target address for a memory operand. */
static u64 pick_target(struct cd_rng *g, bool aligned)
{
	u64 t = (u64)data_lo() + 0x100 + cd_below(g, CD_DATA_SIZE - 0x200);

	if (aligned || cd_below(g, 2))
		t &= ~7ULL;
	return t;
}

static unsigned int imm_bytes(u8 info, int ext, unsigned int osize)
{
	switch (info & 0xf0) {
	case I8:
	case R8:
		return 1;
	case IZ:
		return osize == 2 ? 2 : 4;
	case I16:
		return 2;
	case IV:
		return osize;
	case MO:
		return 8;
	case R32:
		return 4;
	case EN:
		return 3;
	case IF6:
		return ext < 2 ? 1 : 0;
	case IF7:
		return ext < 2 ? (osize == 2 ? 2 : 4) : 0;
	}
	return 0;
}

/* A landing pad reachable with a displacement of @size bytes from @next. */
static s64 pick_rel(struct cd_rng *g, u64 next, unsigned int size)
{
	unsigned int i;
	s64 d;

	for (;;) {
		i = cd_below(g, cd_cpu_npads());
		d = (s64)(cd_cpu_pad(i) - next);
		if (i == 0)
			d = 0;
		if (size == 4 || (d >= -128 && d <= 127))
			return d;
	}
}

static u64 gsoff(const struct cd_inst *in, u64 gsb)
{
	return in->gs ? gsb : 0;
}

static bool is_bt_reg(const struct cd_form *f)
{
	return f->map0f && (f->op == 0xa3 || f->op == 0xab || f->op == 0xb3 ||
			    f->op == 0xbb);
}

void cd_form_instance(const struct cd_form *f, struct cd_rng *g,
		      struct cd_state *st, bool aligned, struct cd_inst *in)
{
	u8 info = f->shape == CD_SH_FIXED ? 0 : op_info(f->map0f, f->op);
	unsigned int osize, mod = 0, rm = 0, reg, isize, dsize = 0, i;
	int base = -1, index = -1, scale = 0;
	bool rip = false, rsp_base = false;
	u8 rex = 0, modrm = 0, sib = 0;
	unsigned int disp_at = 0;
	u64 target = 0, gsb;
	s64 disp = 0, idx = 0;

	memset(in, 0, sizeof(*in));
	in->form = f;

	if (f->shape == CD_SH_FIXED) {
		put(in, f->fixed, f->nfixed);
		in->op = f->op;
		goto fixups;
	}

	for (i = 0; i < f->npfx; i++) {
		if (f->pfx[i] == 0x65)
			in->gs = true;
	}
	put(in, f->pfx, f->npfx);
	if (f->rex) {
		rex = f->rex | (f->rex_rand ? cd_below(g, 8) : 0);
		put(in, &rex, 1);
	}
	if (f->map0f)
		put(in, "\x0f", 1);
	put(in, &f->op, 1);
	in->op = f->op;
	osize = (rex & 8) ? 8 : (f->npfx && memchr(f->pfx, 0x66, f->npfx)) ? 2 : 4;
	in->osize = osize;

	if (info & M) {
		reg = f->ext >= 0 ? (unsigned int)f->ext : cd_below(g, 8);
		in->reg = reg | ((rex & 4) ? 8 : 0);
		switch (f->shape) {
		case CD_SH_REG:
			mod = 3;
			rm = cd_below(g, 8);
			break;
		case CD_SH_MEM:
			do {
				mod = cd_below(g, 3);
				rm = cd_below(g, 8);
			} while (rm == 4 || (mod == 0 && rm == 5));
			base = rm | ((rex & 1) ? 8 : 0);
			break;
		case CD_SH_SIB:
		case CD_SH_ABS:
			rm = 4;
			scale = cd_below(g, 4);
			index = cd_below(g, 8) | ((rex & 2) ? 8 : 0);
			if (index == 4)
				index = -1;
			if (f->shape == CD_SH_ABS) {
				mod = 0;
				base = 5;
				dsize = 4;
			} else {
				do {
					mod = cd_below(g, 3);
					base = cd_below(g, 8);
				} while (mod == 0 && base == 5);
			}
			sib = (u8)(scale << 6 | (index < 0 ? 4 : index & 7) << 3 | base);
			if (f->shape == CD_SH_ABS)
				base = -1;
			else
				base |= (rex & 1) ? 8 : 0;
			break;
		case CD_SH_RIP:
			mod = 0;
			rm = 5;
			rip = true;
			dsize = 4;
			break;
		}
		if (mod == 1)
			dsize = 1;
		else if (mod == 2)
			dsize = 4;
		modrm = (u8)(mod << 6 | (reg & 7) << 3 | rm);
		put(in, &modrm, 1);
		if (rm == 4 && mod != 3)
			put(in, &sib, 1);
		in->mem = mod != 3;
		in->rm = rm | ((rex & 1) ? 8 : 0);
		in->mod = mod;
		disp_at = in->len;
		in->len += dsize;
	}

	/* the immediate: random, edge cases likely */
	isize = imm_bytes(info, f->ext, osize);
	if (isize && (info & 0xf0) != R8 && (info & 0xf0) != R32) {
		u64 v = cd_value(g);

		/* shift counts: 1 (the only count of an 8/16-bit shift taken) */
		if ((f->op == 0xc0 || f->op == 0xc1) && !f->map0f && cd_below(g, 4) < 3)
			v = cd_below(g, 3) ? 1 : cd_below(g, 70);
		put(in, &v, isize);
		in->imm = v;
	} else {
		in->len += isize;
	}

	/* the memory operand: registers and displacement so it hits target */
	gsb = in->gs ? cd_below(g, 0x3fff0000) + 0x10000 : 0x12345000;
	if (in->mem) {
		target = pick_target(g, aligned);
		if (f->map0f && f->op == 0x0d)
			target = (u64)data_lo() + 0x800;
		if (index >= 0) {
			idx = (s64)cd_below(g, 129) - 64;
			if (aligned)
				idx &= ~7LL;
		}
		rsp_base = base == CD_SP;
		if (dsize == 1)
			disp = (s8)cd_rand(g);
		else if (dsize == 4)
			disp = rsp_base ? (s64)cd_below(g, 513) - 256 : (s32)cd_value(g);
		if (aligned) {
			disp &= ~7LL;
			gsb &= ~7ULL;
		}
		if (rsp_base && in->gs)
			gsb = aligned ? cd_below(g, 32) * 8 : cd_below(g, 256);
		/* %gs:negative disp32, as absolute kernel addresses are */
		if (in->gs && base < 0 && !rip && cd_below(g, 2))
			gsb = (target + cd_below(g, 0x7fff0000)) & ~7ULL;
		if (!in->gs)
			gsb = 0x12345000;
		if (rip) {
			disp = (s64)(target - gsoff(in, gsb) - (st->ip + in->len));
		} else if (base < 0) {
			disp = (s64)(target - gsoff(in, gsb) - idx * (1 << scale));
		} else if (rsp_base) {
			if (index >= 0)
				st->r[index] = (u64)idx;
			target = st->r[CD_SP] + gsoff(in, gsb) + disp +
				 (index >= 0 ? idx * (1 << scale) : 0);
		} else if (base == index) {
			s64 v = (s64)(target - gsoff(in, gsb) - disp) / (1 + (1 << scale));

			if (aligned)
				v &= ~7LL;
			st->r[base] = (u64)v;
		} else {
			if (index >= 0)
				st->r[index] = (u64)idx;
			st->r[base] = target - gsoff(in, gsb) - disp -
				      (index >= 0 ? idx * (1 << scale) : 0);
		}
		if (rip || base < 0) {
			if (index >= 0)
				st->r[index] = (u64)idx;
		}
		memcpy(in->bytes + disp_at, &disp, dsize);
		/* the operand itself: an edge value half of the time */
		if (cd_below(g, 2)) {
			u64 v = cd_value(g);

			memcpy((void *)(target & ~7ULL), &v, 8);
		}
		/* bt with a register bit offset: keep it near */
		if (is_bt_reg(f)) {
			if (in->reg == base || in->reg == index)
				in->bad = true;
			st->r[in->reg] = cd_below(g, 512) - 256;
		}
	}
	st->gs_base = in->gs ? gsb : 0x12345000;
	in->gs_base = st->gs_base;

	/* moffs */
	if ((info & 0xf0) == MO) {
		u64 t = pick_target(g, aligned);

		if (in->gs && cd_below(g, 2))
			gsb = (t + cd_rand(g) % 0x7fff00000000ULL) & ~7ULL;
		st->gs_base = gsb;
		in->gs_base = gsb;
		t -= gsoff(in, gsb);
		memcpy(in->bytes + in->len - 8, &t, 8);
		in->mem = true;
	}
	/* branches: onto a landing pad */
	if ((info & 0xf0) == R8 || (info & 0xf0) == R32) {
		s64 d = pick_rel(g, st->ip + in->len, isize);

		memcpy(in->bytes + in->len - isize, &d, isize);
	}

fixups:
	/* stack-relative forms */
	if (!f->map0f) {
		u8 *sp = (u8 *)st->r[CD_SP];
		u64 v;

		switch (in->op) {
		case 0xc2:
		case 0xc3:
			i = cd_below(g, cd_cpu_npads());
			v = i ? cd_cpu_pad(i) : st->ip + in->len;
			memcpy(sp, &v, 8);
			break;
		case 0xc9:
			v = (u64)data_lo() + 0x600 + cd_below(g, CD_DATA_SIZE - 0xc00);
			if (aligned || cd_below(g, 8))
				v &= ~7ULL;
			st->r[CD_BP] = v;
			break;
		case 0x9d:
			/*
			 * popf: user mode keeps IF=1 and IOPL=0 and a popped
			 * TF would trap; force them so CPL3 and CPL0 agree.
			 */
			memcpy(&v, sp, 8);
			v = (v & ~(CD_TF | CD_IOPL)) | CD_IF;
			memcpy(sp, &v, 8);
			break;
		}
	}
}
