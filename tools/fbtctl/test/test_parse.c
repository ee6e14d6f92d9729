// SPDX-License-Identifier: GPL-2.0
/* Host unit tests of fbtctl's parsers: TAP-like ok / not ok lines. */
#include <stdlib.h>
#include <string.h>

#include "fbtctl.h"

struct rec {
	unsigned int cpu;
	unsigned long long seq, ns, ip, image;
	long id;
	char kind[16], name[160], mnem[64], fin[48], fout[48], why[64];
	unsigned int len;
};
int rec_parse_line(const char *line, struct rec *r);

static int failed, passed;

#define CHECK(cond, what) do { \
	if (cond) { passed++; printf("ok fbtctl %s\n", what); } \
	else { failed++; printf("not ok fbtctl %s (%s:%d)\n", what, __FILE__, __LINE__); } \
} while (0)

int main(void)
{
	struct probe p;
	struct kv *kv;
	unsigned long long v;
	struct rec r;
	char fam[16];
	int n;

	CHECK(!probe_parse_line("2 16 ffffffff81000300 9c 1 -1 kernel:put_cpu_partial:entry armed", &p) &&
	      p.id == 2 && p.hits == 16 && p.addr == 0xffffffff81000300ULL &&
	      !strcmp(p.opcode, "9c") && p.len == 1 && p.modrm == -1 &&
	      !strcmp(p.name, "kernel:put_cpu_partial:entry") &&
	      !strcmp(p.state, "armed"), "probe row parsed");
	CHECK(!probe_parse_line("4 0 ffffffff81000500 0f1f 5 2 ext4:foo:return refused:jumplabel", &p) &&
	      !strcmp(p.state, "refused:jumplabel") && p.modrm == 2,
	      "refused row parsed");
	CHECK(probe_parse_line("# id count patchpoint opcode inslen modrm name state", &p),
	      "header skipped");
	CHECK(probe_parse_line("1 2 3 4", &p), "short row rejected");
	CHECK(probe_parse_line("1 2 ff 9c 1 -1 kernel_foo_entry armed", &p),
	      "name without colons rejected");
	CHECK(state_match("refused:jumplabel", "refused") &&
	      state_match("refused:jumplabel", "refused:jump*") &&
	      !state_match("armed", "refused") && state_match("armed", "armed"),
	      "state filters");
	opcode_family("9c", fam, sizeof(fam));
	CHECK(!strcmp(fam, "9?"), "family of 9c is 9?");
	opcode_family("0f1f", fam, sizeof(fam));
	CHECK(!strcmp(fam, "0f??"), "family of 0f1f is 0f??");
	opcode_family("0f3801", fam, sizeof(fam));
	CHECK(!strcmp(fam, "0f38??"), "family of 0f3801 is 0f38??");
	CHECK(!strcmp(opcode_mnemonic("9c"), "pushfq"), "9c is pushfq");
	CHECK(!strcmp(norm_glob("vfs_*"), "*:vfs_*:entry"), "bare glob");
	CHECK(!strcmp(norm_glob("ext4:*"), "ext4:*:entry"), "module:function glob");
	CHECK(!strcmp(norm_glob("*:*:return"), "*:*:return"), "full glob kept");
	CHECK(glob_ok("*:vfs_*:entry", "kernel:vfs_read:entry") &&
	      !glob_ok("*:vfs_*:entry", "kernel:vfs_read:return"), "glob match");
	n = stats_parse("functions 5\nrefused:jumplabel 3\n# comment\nbad line x\ntraps 146\n", &kv);
	CHECK(n == 3 && stats_get(kv, n, "refused:jumplabel", &v) && v == 3 &&
	      stats_get(kv, n, "traps", &v) && v == 146 &&
	      !stats_get(kv, n, "violations", NULL), "stats parsed");
	free(kv);
	CHECK(!rec_parse_line("0 2 2000 violation 2 ffffffff81000300 put_cpu_partial+0x5/0x80 pushf 1 [IF SF] [SF] 246 IF changed", &r) &&
	      r.cpu == 0 && r.seq == 2 && !strcmp(r.kind, "violation") &&
	      !strcmp(r.name, "put_cpu_partial+0x5/0x80") &&
	      !strcmp(r.mnem, "pushf") && r.len == 1 &&
	      !strcmp(r.fin, "IF SF") && !strcmp(r.fout, "SF") &&
	      r.image == 0x246 && !strcmp(r.why, "IF changed"),
	      "recorder row parsed");
	CHECK(!rec_parse_line("1 7 1500 entry 3 ffffffff81000400 vfs_read+0x4/0x90 push %rbp 1 [IF] [IF] 0 -", &r) &&
	      !strcmp(r.mnem, "push %rbp") && r.len == 1,
	      "recorder mnemonic with a space");
	CHECK(rec_parse_line("# cpu0 head 3 dropped 0 size 256", &r),
	      "recorder comment skipped");
	printf("# fbtctl parse: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
