/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flight recorder: what core/ calls and what recorder/'s files share.
 *
 * core/trap.c calls fbt_rec_trap() after each emulated trap and
 * fbt_rec_ghost() for a ghost; core/fbt_main.c calls fbt_rec_init() before
 * the trap handler goes in, fbt_rec_stop() before probes go away and
 * fbt_rec_exit() after the handler is gone; core/debugfs.c calls
 * fbt_rec_debugfs().
 */
#ifndef FBT_RECORDER_RECORDER_H
#define FBT_RECORDER_RECORDER_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>

#include "ring.h"

struct fbt_probe;
struct dentry;

/* core/ entry points */
int fbt_rec_init(void);
void fbt_rec_stop(void);
void fbt_rec_exit(void);
void fbt_rec_debugfs(struct dentry *dir);
void fbt_rec_trap(struct fbt_probe *p, struct pt_regs *regs,
		  unsigned long flags_in, unsigned long sp_in, bool nested);
void fbt_rec_ghost(const struct fbt_probe *p, struct pt_regs *regs);

/* recorder.c */
DECLARE_PER_CPU(struct fbt_ring *, fbt_rings);
extern unsigned int fbt_ring_records;
extern bool fbt_rec_repair;
void fbt_rec_event(u8 why, unsigned long ip, unsigned long flags,
		   unsigned long value);
u64 fbt_rec_tsc_to_ns(u64 tsc);

/* The snapshot of the ring of the CPU that saw a violation. */
struct fbt_snap {
	unsigned int cpu;
	unsigned int n;		/* records in rec[] */
	u64 mark;		/* seq of the violation record */
	u8 why;
	struct fbt_rec_data rec[];
};

/* dump.c */
void fbt_dump(const struct fbt_snap *s, const char *reason, bool events);
int fbt_dump_init(void);
void fbt_dump_exit(void);
const char *fbt_rec_kind_name(unsigned int kind);
const char *fbt_rec_mnemonic(const struct fbt_rec_data *d);
int fbt_flags_str(char *buf, size_t len, unsigned long flags);
extern unsigned int fbt_dump_records;

/* assert.c */
int fbt_assert_init(void);
void fbt_assert_exit(void);
void fbt_rec_request_dump(const char *reason);
struct seq_file;
void fbt_assert_stats(struct seq_file *m);

#endif /* FBT_RECORDER_RECORDER_H */
