// SPDX-License-Identifier: GPL-2.0
/*
 * The trap path's own code, counted in userspace: fbt_emul_run() on each
 * benchmark target's instruction and fbt_ring_write() (the recorder's ring),
 * each called LOOPS times. Run under callgrind (tests/bench/Makefile,
 * `make -C tests/bench hostcost`) for instructions per call; the kernel's
 * entry, die chain and iret are not here (see Documentation/performance.rst).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emul.h"
#include "../../recorder/ring.h"

unsigned long fbt_user_gs_base;
int (*fbt_user_fault_hook)(unsigned long addr, unsigned int size, bool write);

#define LOOPS 100000
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct { const char *name; const char *bytes; unsigned int len; } t[] = {
	{ "push", "\x53", 1 },
	{ "pushf", "\x9c", 1 },
	{ "mov", "\x48\x89\xf8", 3 },
	{ "xchg", "\x48\x92", 2 },
	{ "sub", "\x48\x83\xec\x08", 4 },
	{ "lea", "\x48\x8d\x47\x08", 4 },
};

static unsigned long stack[64];

/* Never inlined (noipa), so callgrind shows them. */
static __attribute__((noipa)) void run_one(const struct fbt_emul *e)
{
	struct pt_regs r;
	int i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < LOOPS; i++) {
		r.ip = 0x1000;
		r.sp = (unsigned long)&stack[32];
		r.flags = 0x246;
		if (fbt_emul_run(e, &r))
			abort();
	}
}

static __attribute__((noipa)) void ring_many(struct fbt_ring *ring)
{
	struct fbt_rec_data d;
	int i;

	memset(&d, 0, sizeof(d));
	d.kind = FBT_REC_ENTRY;
	d.len = 1;
	for (i = 0; i < LOOPS; i++) {
		d.tsc = i;
		d.ip = 0x1000 + i;
		fbt_ring_write(ring, &d);
	}
}

int main(void)
{
	struct fbt_ring *ring = calloc(1, fbt_ring_bytes(256));
	struct fbt_emul e;
	unsigned int i;

	if (!ring)
		return 1;
	fbt_ring_init(ring, 256, 0);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (fbt_emul_prepare(&e, (const u8 *)t[i].bytes, t[i].len)) {
			fprintf(stderr, "%s refused\n", t[i].name);
			return 1;
		}
		run_one(&e);
		printf("%s: %d emulations\n", t[i].name, LOOPS);
	}
	ring_many(ring);
	printf("ring: %d writes\n", LOOPS);
	free(ring);
	return 0;
}
