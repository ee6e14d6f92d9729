// SPDX-License-Identifier: GPL-2.0
/*
 * netload: the network and timer part of the guests' mixed workload.
 *
 *   netload SECONDS
 *
 * Three processes for SECONDS (or until killed, then they report what
 * they did so far): loopback TCP round trips (connect, send 512 bytes,
 * echo, close, every 16th trip a new connection), loopback UDP datagrams
 * echoed back, and timers (a 1 ms periodic timerfd, clock_nanosleep and
 * poll timeouts). Prints one line per part and exits nonzero if a part
 * did nothing or failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A socket of @type bound to an ephemeral loopback port; port in *port. */
static int bound(int type, int *port)
{
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, type, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static int full_io(int fd, char *buf, size_t n, int out)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = out ? write(fd, buf + done, n - done) :
				  read(fd, buf + done, n - done);
		if (r <= 0)
			return -1;
		done += r;
	}
	return 0;
}

static long tcp_part(double end)
{
	char buf[512];
	long trips = 0;
	int port, lfd = bound(SOCK_STREAM, &port);
	pid_t echo;

	if (lfd < 0 || listen(lfd, 8))
		return -1;
	echo = fork();
	if (echo == 0) {
		for (;;) {
			int c = accept(lfd, NULL, NULL);

			if (c < 0)
				_exit(0);
			while (!full_io(c, buf, sizeof(buf), 0) &&
			       !full_io(c, buf, sizeof(buf), 1))
				;
			close(c);
		}
	}
	close(lfd);
	while (!stop && now() < end) {
		struct sockaddr_in a = loopback(port);
		int fd = socket(AF_INET, SOCK_STREAM, 0), i;

		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
			break;
		for (i = 0; i < 16 && !stop; i++) {
			memset(buf, (int)trips, sizeof(buf));
			if (full_io(fd, buf, sizeof(buf), 1) ||
			    full_io(fd, buf, sizeof(buf), 0))
				break;
			trips++;
		}
		close(fd);
	}
	kill(echo, SIGKILL);
	waitpid(echo, NULL, 0);
	return trips;
}

static long udp_part(double end)
{
	char buf[256];
	long n = 0;
	int port, sfd = bound(SOCK_DGRAM, &port), cport;
	int cfd = bound(SOCK_DGRAM, &cport);
	struct sockaddr_in to = loopback(port), back = loopback(cport);
	struct timeval tv = { .tv_sec = 1 };

	if (sfd < 0 || cfd < 0)
		return -1;
	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(sfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (!stop && now() < end) {
		memset(buf, (int)n, sizeof(buf));
		if (sendto(cfd, buf, sizeof(buf), 0, (struct sockaddr *)&to,
			   sizeof(to)) != sizeof(buf))
			break;
		if (recv(sfd, buf, sizeof(buf), 0) != sizeof(buf))
			break;
		if (sendto(sfd, buf, sizeof(buf), 0, (struct sockaddr *)&back,
			   sizeof(back)) != sizeof(buf))
			break;
		if (recv(cfd, buf, sizeof(buf), 0) != sizeof(buf))
			break;
		n++;
	}
	close(sfd);
	close(cfd);
	return n;
}

static long timer_part(double end)
{
	struct itimerspec its = {
		.it_interval = { .tv_nsec = 1000000 },
		.it_value = { .tv_nsec = 1000000 },
	};
	struct timespec nap = { .tv_nsec = 200000 };
	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	long n = 0;

	if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL))
		return -1;
	while (!stop && now() < end) {
		unsigned long long ticks;
		struct pollfd p = { .fd = tfd, .events = POLLIN };

		if (poll(&p, 1, 50) == 1 &&
		    read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks))
			n += (long)ticks;
		clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL);
	}
	close(tfd);
	return n;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "tcp round trips",
					     "udp echoes", "timer expirations" };
	long (*parts[])(double) = { tcp_part, udp_part, timer_part };
	int fds[3][2], i, j, bad = 0;
	struct sigaction sa;
	pid_t pid[3];
	double end;

	if (argc != 2 || atof(argv[1]) <= 0) {
		fprintf(stderr, "usage: netload SECONDS\n");
		return 2;
	}
	end = now() + atof(argv[1]);
	/* No SA_RESTART: a blocking call returns on SIGTERM and parts stop. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < 3; i++) {
		if (pipe(fds[i]))
			return 1;
		pid[i] = fork();
		if (pid[i] == 0) {
			long r = parts[i](end);

			if (write(fds[i][1], &r, sizeof(r)) != sizeof(r))
				_exit(1);
			_exit(0);
		}
		close(fds[i][1]);
	}
	for (i = 0; i < 3; i++) {
		long r = -1;

		while (read(fds[i][0], &r, sizeof(r)) < 0 && errno == EINTR)
			for (j = 0; stop && j < 3; j++)
				kill(pid[j], SIGTERM);
		while (waitpid(pid[i], NULL, 0) < 0 && errno == EINTR)
			;
		printf("netload: %s %ld\n", names[i], r);
		bad |= r <= 0;
	}
	return bad;
}
