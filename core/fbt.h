/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fbt core: what enum.c, sites.c, patch.c, trap.c and debugfs.c share.
 *
 * Objects: one struct fbt_obj per text owner (the kernel, each module),
 * holding its functions (start, size, name) and its probes. Probes of an
 * object live in one array, sorted by function; their ids are the object's
 * id_base plus the index and stay stable while the object is loaded.
 *
 * Locking: fbt_lock (a mutex) serializes every change to the object list,
 * to probe states and flags and to the text. The trap path takes no lock:
 * it reads the RCU-published address table of trap.c and the probe's state
 * with READ_ONCE().
 */
#ifndef FBT_CORE_FBT_H
#define FBT_CORE_FBT_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/module.h>

#include "../emul/emul.h"

/* Probe states, shown in the probes file. */
enum fbt_state {
	FBT_DISARMED = 0,
	FBT_ARMED,
	FBT_REFUSED,
	FBT_QUARANTINED,
};

/*
 * Refusal reasons: the emulator's enum fbt_refusal (1 .. FBT_REFUSE_NR - 1)
 * followed by fbt's own.
 */
enum {
	FBT_R_BLACKLIST = FBT_REFUSE_NR, /* kprobe blacklist: entry/noinstr/... */
	FBT_R_KPROBES,		/* kprobes refused it: text the kernel rewrites */
	FBT_R_TRAPPATH,		/* run by the trap path itself */
	FBT_R_THUNK,		/* thunk, trampoline, padding, rewritten code */
	FBT_R_UNREADABLE,	/* text could not be read */
	FBT_R_EXTABLE,		/* has an exception-table fixup */
	FBT_R_CHANGED,		/* the byte changed under fbt when arming */
	FBT_R_PERCPU,		/* %gs operand: per-CPU state the trap changes */
	FBT_R_ATENTRY,		/* a return at the entry: the entry probe's site */
	FBT_R_NR
};

#define FBT_INT3	0xcc

/* fbt_probe.flags */
#define FBT_P_RETURN	0x01	/* a return probe, else an entry probe */
#define FBT_P_WANT	0x02	/* enabled by a glob */
#define FBT_P_OPDENY	0x04	/* disabled by an opcode filter */
#define FBT_P_ORACLE	0x08	/* kprobes must be asked before arming */
#define FBT_P_KPACC	0x10	/* oracle_all: in the sample, kprobes accepted */
#define FBT_P_RESTORED	0x20	/* restored unparked: watch.c sweeps it */

/*
 * 80 bytes. @id is the probe's id (obj->id_base + its index), set when the
 * object is published, so that the trap path can record it without a
 * search; it shares the word that held a 64-bit @hits, which is now 32 bits
 * (it wraps after 2^32 hits of one probe), so the struct did not grow.
 */
struct fbt_probe {
	unsigned long addr;
	u32 hits;		/* plain increments: racy by design */
	u32 id;			/* the id column of the probes file */
	u32 func;		/* index into obj->funcs */
	u8 state;		/* enum fbt_state, READ_ONCE on the trap path */
	u8 reason;		/* refusal reason when state == FBT_REFUSED */
	u8 flags;		/* FBT_P_* */
	struct fbt_emul emul;	/* the displaced instruction */
};

struct fbt_func {
	unsigned long addr;
	u32 size;
	u32 name;		/* offset into obj->names */
};

struct fbt_obj {
	struct list_head list;
	struct module *mod;	/* NULL for the kernel */
	char name[MODULE_NAME_LEN];
	unsigned long text_start, text_end;
	u32 id_base;
	u32 nfuncs, nprobes;
	u32 names_len;
	struct fbt_func *funcs;
	struct fbt_probe *probes;
	char *names;
	size_t bytes;		/* memory held by this object */
};

extern struct mutex fbt_lock;
extern struct list_head fbt_objs;	/* of struct fbt_obj, under fbt_lock */

static inline const char *fbt_func_name(const struct fbt_obj *o, u32 func)
{
	return o->names + o->funcs[func].name;
}

/* Counters shown in stats; the per-CPU ones are in trap.c. */
struct fbt_stats {
	unsigned long functions;
	unsigned long undecodable;	/* functions whose body did not decode */
	u64 arm_ns, disarm_ns;		/* last batch */
	unsigned long arm_n, disarm_n;
	u64 oracle_ns;			/* total time in the kprobes oracle */
	unsigned long oracle_n;
	/* oracle_all=1: kprobes' verdict on every entry site, for the ratio */
	unsigned long kp_entry_checked, kp_entry_accepted;
	unsigned long kp_entry_accepted_thunk;	/* e.g. __SCT__ trampolines */
	unsigned int kp_sample;			/* oracle_all: 1 in how many */
	u64 enum_ns;			/* enumeration and site selection */
};

extern struct fbt_stats fbt_stats;

/* enum.c */
int fbt_enum_init(void);
void fbt_enum_exit(void);
void fbt_enum_free(void);
void fbt_obj_free(struct fbt_obj *o);

/* sites.c */
int fbt_sites_init(void);
void fbt_sites_exit(void);
int fbt_sites_build(struct fbt_obj *o);
int fbt_sites_oracle(struct fbt_obj *o, bool all);
int fbt_sites_oracle_list(struct fbt_probe **v, unsigned int n);
const char *fbt_reason_name(unsigned int reason);
void fbt_probe_opcode(const struct fbt_probe *p, char *buf, size_t len);
unsigned int fbt_probe_opcode_val(const struct fbt_probe *p);

/* patch.c */
int fbt_patch_init(void);
void fbt_patch_exit(void);
int fbt_reconcile(void);
void fbt_disarm_obj(struct fbt_obj *o);
int fbt_quarantine_probe(struct fbt_probe *p);	/* for recorder/ */
struct page *fbt_text_page(unsigned long addr);
unsigned long fbt_patch_park_timeouts(void);

/* watch.c */
void fbt_watch_init(void);
void fbt_watch_exit(void);
void fbt_watch_kick(void);
void fbt_watch_stop(void);
void fbt_watch_remap(void);
unsigned long fbt_watch_count(void);
unsigned long fbt_watch_swept(void);
void fbt_watch_reset(void);

/* trap.c */
int fbt_trap_init(void);
void fbt_trap_exit(void);
int fbt_table_publish(void);
void fbt_table_drop_obj(struct fbt_obj *o);
void fbt_trap_counters(unsigned long *traps, unsigned long *hits,
		       unsigned long *recursions, unsigned long *ghosts,
		       unsigned long *faults);
void fbt_trap_reset(void);
size_t fbt_table_bytes(void);
struct fbt_probe *fbt_trap_lookup(unsigned long addr);

/* debugfs.c */
int fbt_debugfs_init(void);
void fbt_debugfs_exit(void);
int fbt_control_apply_arm_param(void);

#endif /* FBT_CORE_FBT_H */
