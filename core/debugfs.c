// SPDX-License-Identifier: GPL-2.0
/*
 * The interface, under /sys/kernel/debug/fbt/ (root only):
 *
 *  probes   the coverage view: a header, then one row per probe,
 *           "id count patchpoint opcode inslen modrm name state". A
 *           seq_file walked by index: fbt_lock is held for one buffer of
 *           rows at a time, never for the whole file.
 *  control  one command per line:
 *             enable <glob> / disable <glob>   on module:function:entry|return
 *             enable opcode=<hex>[-<hex>]      lift an opcode filter
 *             disable opcode=<glob>            e.g. opcode=9?: an opcode
 *                                              family is never armed
 *             reset                            zero the counters
 *           A write is parsed whole before anything is applied: a bad
 *           command fails the write with -EINVAL and changes nothing.
 *           Reading control shows the outcome of the last write.
 *  stats    functions, probes per state, refusals per reason, traps, hits,
 *           recursions, ghosts, watch_rewrites (watch.c), park_timeouts
 *           (patch.c), the last arm and disarm batches.
 *
 * The module parameter `arm' enables globs at load: fbt.arm='kernel:*:entry'
 * (several separated by commas).
 */
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/glob.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "fbt.h"
#include "../recorder/recorder.h"

static char *arm;
module_param(arm, charp, 0400);
MODULE_PARM_DESC(arm, "globs to enable at load, e.g. kernel:*:entry");

static struct dentry *fbt_dir;
static char fbt_last[256] = "ok";	/* under fbt_lock */

#define FBT_CMD_MAX	4096	/* one write */
#define FBT_GLOB_MAX	256

enum fbt_op { FBT_OP_ENABLE, FBT_OP_DISABLE, FBT_OP_RESET };

struct fbt_cmd {
	enum fbt_op op;
	bool opcode;			/* an opcode filter */
	bool range;			/* opcode=<lo>-<hi>, else a glob */
	unsigned int lo, hi;
	bool entry, ret;		/* the kind part matches entry, return */
	char glob[FBT_GLOB_MAX];	/* opcode glob, or module glob */
	char *func;			/* function glob (inside glob[]) */
};

/* ---- probes ------------------------------------------------------------ */

struct fbt_cursor {
	struct fbt_obj *o;
	u32 i;
};

static void *fbt_probes_at(struct seq_file *m, loff_t pos)
{
	struct fbt_cursor *c = m->private;
	struct fbt_obj *o;

	if (pos == 0)
		return SEQ_START_TOKEN;
	pos--;
	list_for_each_entry(o, &fbt_objs, list) {
		if (pos < o->nprobes) {
			c->o = o;
			c->i = pos;
			return c;
		}
		pos -= o->nprobes;
	}
	return NULL;
}

static void *fbt_probes_start(struct seq_file *m, loff_t *pos)
{
	mutex_lock(&fbt_lock);
	return fbt_probes_at(m, *pos);
}

static void *fbt_probes_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct fbt_cursor *c = m->private;

	++*pos;
	if (v == SEQ_START_TOKEN)
		return fbt_probes_at(m, *pos);
	if (++c->i < c->o->nprobes)
		return c;
	while (!list_is_last(&c->o->list, &fbt_objs)) {
		c->o = list_next_entry(c->o, list);
		c->i = 0;
		if (c->o->nprobes)
			return c;
	}
	return NULL;
}

static void fbt_probes_stop(struct seq_file *m, void *v)
{
	mutex_unlock(&fbt_lock);
}

static int fbt_probes_show(struct seq_file *m, void *v)
{
	struct fbt_cursor *c = v;
	const struct fbt_probe *p;
	char op[12];
	u8 state;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# id count patchpoint opcode inslen modrm name state\n");
		return 0;
	}
	p = &c->o->probes[c->i];
	fbt_probe_opcode(p, op, sizeof(op));
	state = READ_ONCE(p->state);
	seq_printf(m, "%u %u %lx %s %u %d %s:%s:%s ", c->o->id_base + c->i,
		   READ_ONCE(p->hits), p->addr, op, p->emul.insn.len,
		   p->emul.insn.modrm_off, c->o->name,
		   fbt_func_name(c->o, p->func),
		   (p->flags & FBT_P_RETURN) ? "return" : "entry");
	switch (state) {
	case FBT_ARMED:
		seq_puts(m, "armed\n");
		break;
	case FBT_DISARMED:
		seq_puts(m, "disarmed\n");
		break;
	case FBT_QUARANTINED:
		seq_puts(m, "quarantined\n");
		break;
	default:
		seq_printf(m, "refused:%s\n", fbt_reason_name(p->reason));
	}
	return 0;
}

static const struct seq_operations fbt_probes_sops = {
	.start = fbt_probes_start,
	.next = fbt_probes_next,
	.stop = fbt_probes_stop,
	.show = fbt_probes_show,
};

static int fbt_probes_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &fbt_probes_sops,
				sizeof(struct fbt_cursor));
}

static const struct file_operations fbt_probes_fops = {
	.owner = THIS_MODULE,
	.open = fbt_probes_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

/* ---- stats ------------------------------------------------------------- */

static int fbt_stats_show(struct seq_file *m, void *v)
{
	unsigned long st[4] = { }, why[FBT_R_NR] = { };
	unsigned long entry = 0, ret = 0, nprobes = 0, kp_armed = 0;
	unsigned long traps, hits, rec, ghosts, faults;
	size_t bytes = 0;
	struct fbt_obj *o;
	unsigned int i;

	mutex_lock(&fbt_lock);
	list_for_each_entry(o, &fbt_objs, list) {
		bytes += o->bytes;
		for (i = 0; i < o->nprobes; i++) {
			const struct fbt_probe *p = &o->probes[i];
			u8 s = READ_ONCE(p->state);

			st[s & 3]++;
			if (s == FBT_REFUSED && p->reason < FBT_R_NR)
				why[p->reason]++;
			if (p->flags & FBT_P_RETURN)
				ret++;
			else
				entry++;
			kp_armed += (p->flags & FBT_P_KPACC) && s == FBT_ARMED;
		}
		nprobes += o->nprobes;
	}
	bytes += fbt_table_bytes();
	seq_printf(m, "functions %lu\n", fbt_stats.functions);
	seq_printf(m, "undecodable %lu\n", fbt_stats.undecodable);
	seq_printf(m, "probes %lu\nentry %lu\nreturn %lu\n", nprobes, entry,
		   ret);
	seq_printf(m, "armed %lu\ndisarmed %lu\nrefused %lu\nquarantined %lu\n",
		   st[FBT_ARMED], st[FBT_DISARMED], st[FBT_REFUSED],
		   st[FBT_QUARANTINED]);
	for (i = 1; i < FBT_R_NR; i++)
		if (why[i])
			seq_printf(m, "refused:%s %lu\n", fbt_reason_name(i),
				   why[i]);
	fbt_trap_counters(&traps, &hits, &rec, &ghosts, &faults);
	seq_printf(m, "traps %lu\nhits %lu\nrecursions %lu\nghosts %lu\nfaults %lu\n",
		   traps, hits, rec, ghosts, faults);
	seq_printf(m, "watch_rewrites %lu\nwatch_swept %lu\n", fbt_watch_count(),
		   fbt_watch_swept());
	seq_printf(m, "park_timeouts %lu\n", fbt_patch_park_timeouts());
	fbt_assert_stats(m);
	seq_printf(m, "arm_last_us %llu\narm_last_n %lu\n",
		   fbt_stats.arm_ns / 1000, fbt_stats.arm_n);
	seq_printf(m, "disarm_last_us %llu\ndisarm_last_n %lu\n",
		   fbt_stats.disarm_ns / 1000, fbt_stats.disarm_n);
	seq_printf(m, "oracle_us %llu\noracle_n %lu\n",
		   fbt_stats.oracle_ns / 1000, fbt_stats.oracle_n);
	seq_printf(m, "enum_us %llu\n", fbt_stats.enum_ns / 1000);
	if (fbt_stats.kp_entry_checked)
		seq_printf(m, "kprobes_entry_checked %lu\nkprobes_entry_accepted %lu\nkprobes_entry_accepted_thunk %lu\n",
			   fbt_stats.kp_entry_checked,
			   fbt_stats.kp_entry_accepted,
			   fbt_stats.kp_entry_accepted_thunk);
	if (fbt_stats.kp_entry_checked)
		seq_printf(m, "kprobes_entry_sample %u\nkprobes_entry_accepted_armed %lu\n",
			   fbt_stats.kp_sample, kp_armed);
	seq_printf(m, "bytes %zu\nbytes_per_probe %zu\nprobe_struct %zu\n",
		   bytes, nprobes ? bytes / nprobes : 0,
		   sizeof(struct fbt_probe));
	mutex_unlock(&fbt_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fbt_stats);

/* ---- control ----------------------------------------------------------- */

static void fbt_set_last(const char *msg)
{
	strscpy(fbt_last, msg, sizeof(fbt_last));
}

static bool fbt_glob_chars_ok(const char *s, bool hex)
{
	for (; *s; s++) {
		if (hex) {
			if (!isxdigit(*s) && !strchr("?*[]!-", *s))
				return false;
		} else if (*s <= ' ' || *s >= 0x7f) {
			return false;
		}
	}
	return true;
}

/*
 * Every class must be closed, or glob_match() reads past the end: after
 * '[' (and an optional '!'), a first ']' is a literal, the next one closes.
 * A ']' outside a class is refused too.
 */
static bool fbt_glob_well_formed(const char *s)
{
	for (; *s; s++) {
		if (*s == ']')
			return false;
		if (*s != '[')
			continue;
		s++;
		if (*s == '!')
			s++;
		if (*s == ']')
			s++;
		while (*s && *s != ']')
			s++;
		if (!*s)
			return false;
	}
	return true;
}

static int fbt_parse_hex(const char *s, unsigned int *v)
{
	unsigned long x;

	if (!*s || strlen(s) > 6 || kstrtoul(s, 16, &x))
		return -EINVAL;
	*v = x;
	return 0;
}

/* Parse one line into @c. On error fill @err and return -EINVAL. */
static int fbt_parse_cmd(char *line, struct fbt_cmd *c, char *err,
			 size_t errlen)
{
	char *verb = line, *arg, *colon1, *colon2;

	memset(c, 0, sizeof(*c));
	arg = strchr(line, ' ');
	if (arg) {
		*arg++ = '\0';
		arg = skip_spaces(arg);
	}
	if (!strcmp(verb, "reset")) {
		if (arg && *arg) {
			snprintf(err, errlen, "reset takes no argument");
			return -EINVAL;
		}
		c->op = FBT_OP_RESET;
		return 0;
	}
	if (!strcmp(verb, "enable")) {
		c->op = FBT_OP_ENABLE;
	} else if (!strcmp(verb, "disable")) {
		c->op = FBT_OP_DISABLE;
	} else {
		snprintf(err, errlen, "unknown command '%.32s'", verb);
		return -EINVAL;
	}
	if (!arg || !*arg) {
		snprintf(err, errlen, "%s needs an argument", verb);
		return -EINVAL;
	}
	if (strchr(arg, ' ')) {
		snprintf(err, errlen, "one argument only");
		return -EINVAL;
	}
	if (strlen(arg) >= FBT_GLOB_MAX) {
		snprintf(err, errlen, "argument too long");
		return -EINVAL;
	}
	if (!strncmp(arg, "opcode=", 7)) {
		char *spec = arg + 7, *dash = strchr(spec, '-');

		c->opcode = true;
		if (dash && !strpbrk(spec, "?*[]")) {
			*dash = '\0';
			if (fbt_parse_hex(spec, &c->lo) ||
			    fbt_parse_hex(dash + 1, &c->hi) || c->lo > c->hi) {
				snprintf(err, errlen, "bad opcode range");
				return -EINVAL;
			}
			c->range = true;
			return 0;
		}
		if (!*spec || !fbt_glob_chars_ok(spec, true) ||
		    !fbt_glob_well_formed(spec) ||
		    (!strpbrk(spec, "?*[") && fbt_parse_hex(spec, &c->lo))) {
			snprintf(err, errlen, "bad opcode pattern");
			return -EINVAL;
		}
		string_lower(c->glob, spec);
		return 0;
	}
	if (!fbt_glob_chars_ok(arg, false) || !fbt_glob_well_formed(arg)) {
		snprintf(err, errlen, "bad characters in glob");
		return -EINVAL;
	}
	colon1 = strchr(arg, ':');
	colon2 = colon1 ? strchr(colon1 + 1, ':') : NULL;
	if (!colon1 || !colon2 || strchr(colon2 + 1, ':') ||
	    colon1 == arg || colon2 == colon1 + 1 || !colon2[1]) {
		snprintf(err, errlen, "glob must be module:function:entry|return");
		return -EINVAL;
	}
	c->entry = glob_match(colon2 + 1, "entry");
	c->ret = glob_match(colon2 + 1, "return");
	if (!c->entry && !c->ret) {
		snprintf(err, errlen, "'%.32s' matches neither entry nor return",
			 colon2 + 1);
		return -EINVAL;
	}
	/* "module\0function": names hold no ':', so the parts match alone. */
	*colon1 = *colon2 = '\0';
	strscpy(c->glob, arg, sizeof(c->glob));
	c->func = c->glob + (colon1 + 1 - arg);
	strscpy(c->func, colon1 + 1, sizeof(c->glob) - (c->func - c->glob));
	return 0;
}

/*
 * glob_match()'s language (*, ?, [a-z], [!x]) for function names, in fbt's
 * own text: with every entry probe armed, the kernel's glob_match() (and
 * snprintf()) would trap on each of 100,000 probes.
 */
static bool fbt_class_match(const char **pat, char c)
{
	const char *p = *pat + 1;
	bool neg = *p == '!', hit = false;

	if (neg)
		p++;
	do {
		char lo = *p, hi = lo;

		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = p[2];
			p += 2;
		}
		hit |= c >= lo && c <= hi;
	} while (*++p != ']');
	*pat = p + 1;
	return hit != neg;
}

static bool fbt_glob(const char *pat, const char *str)
{
	const char *back_pat = NULL, *back_str = NULL;

	for (;;) {
		char c = *str, d = *pat;

		if (d == '*') {
			back_pat = ++pat;	/* '*' matches "", then more */
			back_str = str;
			continue;
		}
		if (c && (d == '?' || d == c)) {
			str++;
			pat++;
			continue;
		}
		if (c && d == '[') {
			const char *p = pat;

			if (fbt_class_match(&p, c)) {
				str++;
				pat = p;
				continue;
			}
		}
		if (!c && !d)
			return true;
		if (!back_pat || !*back_str)
			return false;
		str = ++back_str;	/* let the last '*' eat one more */
		pat = back_pat;
	}
}

/* @o's module part already matched; @fmatch caches the function part. */
static bool fbt_cmd_match(const struct fbt_cmd *c, const struct fbt_obj *o,
			  const struct fbt_probe *p, char *buf, size_t len,
			  s64 *fmatch)
{
	if (c->opcode) {
		unsigned int v = fbt_probe_opcode_val(p);

		if (c->range)
			return v >= c->lo && v <= c->hi;
		fbt_probe_opcode(p, buf, len);
		return glob_match(c->glob, buf);
	}
	if (!((p->flags & FBT_P_RETURN) ? c->ret : c->entry))
		return false;
	/* Probes are sorted by function: match each name once. */
	if (*fmatch >> 1 != p->func)
		*fmatch = (s64)p->func << 1 |
			  fbt_glob(c->func, fbt_func_name(o, p->func));
	return *fmatch & 1;
}

/* Apply one parsed command to the flags. Called with fbt_lock held. */
static unsigned long fbt_cmd_apply(const struct fbt_cmd *c)
{
	char buf[MODULE_NAME_LEN + KSYM_NAME_LEN + 16];
	unsigned long n = 0;
	struct fbt_obj *o;
	u32 i;

	if (c->op == FBT_OP_RESET) {
		list_for_each_entry(o, &fbt_objs, list)
			for (i = 0; i < o->nprobes; i++)
				WRITE_ONCE(o->probes[i].hits, 0);
		fbt_trap_reset();
		fbt_watch_reset();
		return 0;
	}
	list_for_each_entry(o, &fbt_objs, list) {
		s64 fmatch = -2;	/* no function matched yet */

		if (!c->opcode && !glob_match(c->glob, o->name))
			continue;
		for (i = 0; i < o->nprobes; i++) {
			struct fbt_probe *p = &o->probes[i];
			u8 bit = c->opcode ? FBT_P_OPDENY : FBT_P_WANT;
			bool set = (c->op == FBT_OP_ENABLE) != c->opcode;

			if (p->state == FBT_REFUSED ||
			    !fbt_cmd_match(c, o, p, buf, sizeof(buf), &fmatch))
				continue;
			if (set)
				p->flags |= bit;
			else
				p->flags &= ~bit;
			n++;
		}
		cond_resched();
	}
	return n;
}

static int fbt_control_run(char *text)
{
	struct fbt_cmd *cmds;
	char err[160];
	unsigned int n = 0, max = 0, i;
	unsigned long matched = 0;
	char *line, *next;
	int ret = 0;

	for (i = 0; text[i]; i++)
		max += text[i] == '\n';
	max++;
	cmds = kcalloc(max, sizeof(*cmds), GFP_KERNEL);
	if (!cmds)
		return -ENOMEM;
	err[0] = '\0';
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line = strim(line);
		if (!*line)
			continue;
		ret = fbt_parse_cmd(line, &cmds[n], err, sizeof(err));
		if (ret)
			break;
		n++;
	}
	if (!ret && !n) {
		snprintf(err, sizeof(err), "no command");
		ret = -EINVAL;
	}
	mutex_lock(&fbt_lock);
	if (ret) {
		char msg[200];

		snprintf(msg, sizeof(msg), "error: %s", err);
		fbt_set_last(msg);
		goto out;
	}
	for (i = 0; i < n; i++)
		matched += fbt_cmd_apply(&cmds[i]);
	ret = fbt_reconcile();
	if (ret) {
		fbt_set_last("error: arming failed (no memory)");
	} else {
		char msg[64];

		snprintf(msg, sizeof(msg), "ok: %u commands, %lu matches", n,
			 matched);
		fbt_set_last(msg);
	}
out:
	mutex_unlock(&fbt_lock);
	kfree(cmds);
	return ret;
}

static ssize_t fbt_control_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	char *text;
	int ret;

	if (!len || len > FBT_CMD_MAX) {
		mutex_lock(&fbt_lock);
		fbt_set_last(len ? "error: write too long" : "error: no command");
		mutex_unlock(&fbt_lock);
		return -EINVAL;
	}
	text = memdup_user_nul(ubuf, len);
	if (IS_ERR(text))
		return PTR_ERR(text);
	if (strlen(text) != len) {
		mutex_lock(&fbt_lock);
		fbt_set_last("error: NUL byte in command");
		mutex_unlock(&fbt_lock);
		kfree(text);
		return -EINVAL;
	}
	ret = fbt_control_run(text);
	kfree(text);
	return ret ? ret : len;
}

static int fbt_control_show(struct seq_file *m, void *v)
{
	mutex_lock(&fbt_lock);
	seq_printf(m, "last: %s\n", fbt_last);
	mutex_unlock(&fbt_lock);
	seq_puts(m, "# enable|disable <module:function:entry|return glob>\n"
		    "# enable opcode=<hex>[-<hex>] | disable opcode=<hex glob>\n"
		    "# reset\n");
	return 0;
}

static int fbt_control_open(struct inode *inode, struct file *file)
{
	return single_open(file, fbt_control_show, NULL);
}

static const struct file_operations fbt_control_fops = {
	.owner = THIS_MODULE,
	.open = fbt_control_open,
	.read = seq_read,
	.write = fbt_control_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* Enable the globs of the `arm' parameter. */
int fbt_control_apply_arm_param(void)
{
	char *text, *p;
	size_t len;
	int ret;

	if (!arm || !*arm)
		return 0;
	len = strlen(arm) * 8 + 16;
	text = kmalloc(len, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	snprintf(text, len, "enable %s", arm);
	p = text + 7;
	/* a,b,c -> enable a\nenable b\nenable c */
	while ((p = strchr(p, ','))) {
		memmove(p + 8, p + 1, strlen(p + 1) + 1);
		memcpy(p, "\nenable ", 8);
		p += 8;
	}
	ret = fbt_control_run(text);
	kfree(text);
	if (ret)
		pr_err("fbt: arm='%s' failed: %s\n", arm, fbt_last);
	return ret;
}

int fbt_debugfs_init(void)
{
	fbt_dir = debugfs_create_dir("fbt", NULL);
	if (IS_ERR(fbt_dir))
		return PTR_ERR(fbt_dir);
	debugfs_create_file("probes", 0400, fbt_dir, NULL, &fbt_probes_fops);
	debugfs_create_file("control", 0600, fbt_dir, NULL, &fbt_control_fops);
	debugfs_create_file("stats", 0400, fbt_dir, NULL, &fbt_stats_fops);
	fbt_rec_debugfs(fbt_dir);	/* recorder/ */
	return 0;
}

void fbt_debugfs_exit(void)
{
	debugfs_remove_recursive(fbt_dir);
	fbt_dir = NULL;
}
