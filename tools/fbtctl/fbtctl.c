// SPDX-License-Identifier: GPL-2.0
/*
 * fbtctl: the command line of fbt (function-boundary tracing by int3).
 * It drives the files of /sys/kernel/debug/fbt/: probes, control, stats,
 * recorder. See Documentation/user-guide.rst.
 */
#include <stdlib.h>
#include <string.h>

#include "fbtctl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--json] COMMAND [ARGS]\n"
		"commands:\n"
		"  list [GLOB] [--state S] [--opcode X] [--hit] [--by-opcode]\n"
		"                          the coverage view: probes, hits, opcodes, states\n"
		"  enable GLOB|opcode=X... arm probes; lift an opcode filter (opcode=9?)\n"
		"  disable GLOB|opcode=X.. disarm probes; deny an opcode family (opcode=9?)\n"
		"  stats                   the module's counters\n"
		"  count [-d S] [-n N] [--workload CMD] [GLOB]\n"
		"                          arm, wait, print the most-hit probes, disarm\n"
		"  recorder [--cpu N] [--last N]\n"
		"                          the flight recorder's live rings, decoded\n"
		"  extract [-o FILE]       trace-cmd extract -B fbt (default trace.dat)\n"
		"  bisect --workload CMD [--timeout S] [--repeat N] [GLOB]\n"
		"                          find the probes whose arming makes a failure appear\n"
		"GLOB is module:function:entry|return; a bare name means *:NAME:entry.\n"
		"Every command takes --json. Needs root and the fbt module loaded.\n",
		prog);
}

int main(int argc, char **argv)
{
	const char *cmd;

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--json")) {
			opt_json = true;
		} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return EX_USAGE;
		}
		argv++;
		argc--;
	}
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	cmd = argv[1];
	argv++;
	argc--;
	if (!strcmp(cmd, "list"))
		return cmd_list(argc, argv);
	if (!strcmp(cmd, "enable"))
		return cmd_enable(argc, argv, true);
	if (!strcmp(cmd, "disable"))
		return cmd_enable(argc, argv, false);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(argc, argv);
	if (!strcmp(cmd, "count"))
		return cmd_count(argc, argv);
	if (!strcmp(cmd, "recorder"))
		return cmd_recorder(argc, argv);
	if (!strcmp(cmd, "extract"))
		return cmd_extract(argc, argv);
	if (!strcmp(cmd, "bisect"))
		return cmd_bisect(argc, argv);
	if (!strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
	usage(stderr);
	return EX_USAGE;
}
