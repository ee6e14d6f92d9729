// SPDX-License-Identifier: GPL-2.0
/*
 * aiosubmit [SECONDS]: for the recorder-pushf-image scenario, a syscall
 * whose path runs a function that starts with pushf and then goes straight
 * back to user mode: io_submit() of a request with an unknown opcode.
 * aio_get_req() takes a request slot in __get_reqs_available()
 * (local_irq_save: pushf, first instruction), __io_submit_one() refuses the
 * opcode (-EINVAL) and the syscall returns. With fbt's inject=pushf-image
 * the saved flags lack IF, local_irq_restore() leaves interrupts disabled,
 * and the syscall exits with them disabled: what fbt's syscall-exit check
 * looks for. Loops for SECONDS (default 10); prints the submissions made.
 * Raw syscalls: no libaio in the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 10;
	struct iocb cb, *cbs[1] = { &cb };
	aio_context_t ctx = 0;
	unsigned long n = 0;
	time_t end;
	int fd;

	fd = open("/dev/null", O_RDWR);
	if (fd < 0 || syscall(SYS_io_setup, 64, &ctx)) {
		perror("aiosubmit: open /dev/null or io_setup");
		return 1;
	}
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_lio_opcode = 99;		/* no such command: -EINVAL */
	end = time(NULL) + secs;
	while (time(NULL) < end) {
		if (syscall(SYS_io_submit, ctx, 1, cbs) != -1 ||
		    errno != EINVAL) {
			fprintf(stderr, "aiosubmit: io_submit: want EINVAL, got %s\n",
				strerror(errno));
			return 1;
		}
		n++;
	}
	syscall(SYS_io_destroy, ctx);
	printf("aiosubmit: %lu submissions\n", n);
	return 0;
}
