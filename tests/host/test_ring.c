// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder's ring under concurrency, in userspace.
 *
 * Each writer thread owns a ring, as a CPU owns its ring in the kernel.
 * Other threads send it signals at random moments; the handler writes a
 * burst of records to the same ring, interrupting a write in progress as
 * an NMI or a nested int3 would. Reader threads copy records from every
 * ring all the time. Every record carries a token from which all its words
 * follow, and each writer logs which token it wrote at which index (or that
 * it dropped it): a record a reader takes as valid must match the log.
 *
 * Prints ok/not ok lines. Built twice by the Makefile: test_ring (signals
 * really interrupt the writer) and test_ring_tsan (-fsanitize=thread).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../recorder/ring.h"

#define MAX_WRITERS	4
#define NREADERS	2

static int nwriters = 3;
#ifndef TEST_RING_WRITES
#define TEST_RING_WRITES 1000000
#endif
static unsigned long writes_per_thread = TEST_RING_WRITES;
static unsigned int burst = 4;		/* records per "interrupt" */
static unsigned int records = 256;

struct wstate {
	struct fbt_ring *ring;
	pthread_t tid;
	u64 *log;		/* token written at each index, 1 = dropped */
	unsigned long logcap;
	unsigned long seed;
	_Atomic unsigned long interrupts;
	_Atomic int done;
};

static struct wstate ws[MAX_WRITERS];
static __thread struct wstate *me;
static atomic_int stop_readers;
static atomic_ulong bad, valid_reads, unverified;
static atomic_ulong nested_in_write;
static __thread volatile int in_write;

static u64 mix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Every field of a record follows from its token. */
static void make_rec(struct fbt_rec_data *d, u64 token)
{
	u64 h = mix(token);

	memset(d, 0, sizeof(*d));
	d->tsc = token;
	d->ip = mix(h);
	d->value = mix(h + 1);
	d->id = (u32)mix(h + 2);
	d->flags_in = (u32)mix(h + 3);
	d->flags_out = (u32)mix(h + 4);
	d->kind = 1 + mix(h + 5) % (FBT_REC_KIND_NR - 1);
	d->why = mix(h + 6) & 0xf;
	d->len = mix(h + 7) & 0xf;
	d->ekind = mix(h + 8) & 0x3f;
	d->map = mix(h + 9) & 3;
	d->injected = mix(h + 10) & 1;
	d->opcode = (u8)mix(h + 11);
}

static int same_rec(const struct fbt_rec_data *a, const struct fbt_rec_data *b)
{
	return a->tsc == b->tsc && a->ip == b->ip && a->value == b->value &&
	       a->id == b->id && a->flags_in == b->flags_in &&
	       a->flags_out == b->flags_out && a->kind == b->kind &&
	       a->why == b->why && a->len == b->len && a->ekind == b->ekind &&
	       a->map == b->map && a->injected == b->injected &&
	       a->opcode == b->opcode;
}

static void write_one(struct wstate *w, u64 token)
{
	struct fbt_rec_data d;
	long long idx;

	make_rec(&d, token);
	in_write++;
	idx = fbt_ring_write(w->ring, &d);
	in_write--;
	if (idx >= 0) {
		if ((unsigned long)idx < w->logcap)
			__atomic_store_n(&w->log[idx], token, __ATOMIC_RELEASE);
	}
}

/* The "interrupt": a burst of writes to the interrupted thread's ring. */
static void on_signal(int sig)
{
	unsigned int i;
	u64 base;

	(void)sig;
	if (!me)
		return;
	if (in_write)
		atomic_fetch_add(&nested_in_write, 1);
	base = atomic_fetch_add(&me->interrupts, 1) + 1;
	for (i = 0; i < burst; i++)
		write_one(me, (base << 32) | (1ULL << 63) | i);
}

static void *writer(void *arg)
{
	struct wstate *w = arg;
	unsigned long i;

	me = w;
	for (i = 0; i < writes_per_thread; i++)
		write_one(w, ((u64)(w - ws) << 56) | (i + 2));
	atomic_store(&w->done, 1);
	return NULL;
}

/* Check a record a reader took as valid against its writer's log. */
static void verify(struct wstate *w, u64 idx, const struct fbt_rec_data *d)
{
	struct fbt_rec_data want;
	u64 token;

	make_rec(&want, d->tsc);
	if (!same_rec(&want, d)) {	/* torn: words of two records */
		if (atomic_fetch_add(&bad, 1) < 5)
			printf("# torn record at ring %ld idx %llu\n",
			       (long)(w - ws), (unsigned long long)idx);
		return;
	}
	if (idx >= w->logcap)
		return;
	token = __atomic_load_n(&w->log[idx], __ATOMIC_ACQUIRE);
	if (!token) {	/* the writer has not logged it yet */
		atomic_fetch_add(&unverified, 1);
		return;
	}
	if (token != d->tsc && atomic_fetch_add(&bad, 1) < 5)
		printf("# record at ring %ld idx %llu is not the one written there\n",
		       (long)(w - ws), (unsigned long long)idx);
}

static void *reader(void *arg)
{
	unsigned long r = (unsigned long)arg;

	while (!atomic_load(&stop_readers)) {
		struct wstate *w = &ws[r++ % nwriters];
		u64 t = fbt_ring_tail(w->ring), h = fbt_ring_head(w->ring), i;
		struct fbt_rec_data d;

		for (i = t; i < h; i++) {
			if (fbt_ring_read(w->ring, i, &d))
				continue;
			atomic_fetch_add(&valid_reads, 1);
			verify(w, i, &d);
		}
	}
	return NULL;
}

static void *interrupter(void *arg)
{
	unsigned long seed = (unsigned long)arg * 7919 + 1, n = 0;
	struct timespec ts = { 0, 0 };
	int live;

	do {
		live = 0;
		for (int i = 0; i < nwriters; i++) {
			if (atomic_load(&ws[i].done))
				continue;
			live = 1;
			seed = mix(seed);
			if (seed & 1)
				pthread_kill(ws[i].tid, SIGUSR1);
		}
		ts.tv_nsec = (seed >> 8) % 5000;
		if (++n % 16 == 0)
			nanosleep(&ts, NULL);
	} while (live);
	return NULL;
}

static int failed;

static void check(int cond, const char *what)
{
	printf("%sok %s\n", cond ? "" : "not ", what);
	failed |= !cond;
}

static void run(unsigned int recs, unsigned int bst, const char *name)
{
	pthread_t rd[NREADERS], intr;
	unsigned long total_int = 0, dropped = 0, lost = 0;
	char what[200];
	int i;

	records = recs;
	burst = bst;
	atomic_store(&bad, 0);
	atomic_store(&valid_reads, 0);
	atomic_store(&unverified, 0);
	atomic_store(&nested_in_write, 0);
	atomic_store(&stop_readers, 0);
	for (i = 0; i < nwriters; i++) {
		struct wstate *w = &ws[i];

		w->ring = calloc(1, fbt_ring_bytes(records));
		fbt_ring_init(w->ring, records, i);
		w->logcap = writes_per_thread * 4 + 1000000;
		w->log = calloc(w->logcap, sizeof(u64));
		atomic_store(&w->interrupts, 0);
		atomic_store(&w->done, 0);
		if (!w->ring || !w->log) {
			check(0, "memory");
			return;
		}
	}
	for (i = 0; i < NREADERS; i++)
		pthread_create(&rd[i], NULL, reader, (void *)(long)i);
	for (i = 0; i < nwriters; i++)
		pthread_create(&ws[i].tid, NULL, writer, &ws[i]);
	pthread_create(&intr, NULL, interrupter, (void *)1L);
	for (i = 0; i < nwriters; i++)
		pthread_join(ws[i].tid, NULL);
	pthread_join(intr, NULL);
	atomic_store(&stop_readers, 1);
	for (i = 0; i < NREADERS; i++)
		pthread_join(rd[i], NULL);

	/* Quiescent: the ring holds exactly the newest records not dropped. */
	for (i = 0; i < nwriters; i++) {
		struct wstate *w = &ws[i];
		u64 h = fbt_ring_head(w->ring), t = fbt_ring_tail(w->ring), x;
		struct fbt_rec_data d;

		total_int += atomic_load(&w->interrupts);
		dropped += fbt_ring_dropped(w->ring);
		for (x = t; x < h; x++) {
			int got = !fbt_ring_read(w->ring, x, &d);
			u64 token = x < w->logcap ? w->log[x] : 0;

			if (got)
				verify(w, x, &d);
			if (got != (token != 0))
				lost++;
		}
	}
	snprintf(what, sizeof(what),
		 "ring %s (%u records, bursts of %u): no torn or foreign record taken as valid (%lu valid reads, %lu interrupts, %lu in a write, %lu dropped)",
		 name, recs, bst, atomic_load(&valid_reads), total_int,
		 atomic_load(&nested_in_write), dropped);
	check(atomic_load(&bad) == 0, what);
	snprintf(what, sizeof(what),
		 "ring %s: at rest it holds exactly the newest records written (%lu mismatches)",
		 name, lost);
	check(lost == 0, what);
	check(total_int > 0, "ring: writers were interrupted");
	for (i = 0; i < nwriters; i++) {
		free(ws[i].ring);
		free(ws[i].log);
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa;

	if (argc > 1)
		writes_per_thread = strtoul(argv[1], NULL, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	run(256, 4, "default");
	/* Bursts longer than the ring: nested writers lap an interrupted one. */
	run(8, 20, "tiny");
	return failed;
}
