// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-hold: put data on one or more gmem_sim devices and hold it there,
 * for the lifecycle tests (selftests/lifecycle.bats): process exit and
 * kill -9 with pages on two devices, rmmod with and without attached
 * processes.
 *
 *   gmem-hold [-n PAGES] [-d DEV]... [-c] [-e]
 *
 * Maps PAGES (default 1024) pages MAP_PEER_SHARED, fills them on the CPU,
 * then has the devices (default /dev/gmem_sim0; -d again for more) each
 * add one to every word of an equal share of the pages, so that every
 * page is on a device and differs from what the CPU wrote. -c then closes
 * the device files (the pages stay on the devices, detached). It prints
 * "ready" and waits for SIGUSR1 or SIGTERM, or exits at once with -e
 * (leaving the pages for exit to free). On SIGUSR1 it checks every word
 * on the CPU (which brings the pages back): exit status 0 and "checked N
 * pages: ok" if all are right, 1 otherwise.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gmem_sim.h"

static size_t page_size;

#define MAX_DEVS 8

static volatile sig_atomic_t got;

static void on_signal(int sig)
{
	got = sig;
}

static uint64_t word(unsigned long i)
{
	return i * 0x9e3779b97f4a7c15ULL + 7;
}

int main(int argc, char **argv)
{
	const char *devs[MAX_DEVS];
	unsigned long npages = 1024, per, i, bad = 0;
	int ndev = 0, close_fds = 0, exit_now = 0, fds[MAX_DEVS], opt, d;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t *p;
	sigset_t mask, old;

	while ((opt = getopt(argc, argv, "n:d:ceh")) != -1) {
		switch (opt) {
		case 'n':
			npages = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			if (ndev < MAX_DEVS)
				devs[ndev++] = optarg;
			break;
		case 'c':
			close_fds = 1;
			break;
		case 'e':
			exit_now = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-n PAGES] [-d DEV]... [-c] [-e]\n",
				argv[0]);
			return 2;
		}
	}
	if (!ndev)
		devs[ndev++] = DEV0;
	page_size = sysconf(_SC_PAGE_SIZE);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);

	p = peer_mmap(npages * page_size, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED) {
		perror("gmem-hold: mmap");
		return 1;
	}
	for (i = 0; i < npages * page_size / 8; i++)
		p[i] = word(i);
	per = (npages + ndev - 1) / ndev;
	for (d = 0; d < ndev; d++) {
		unsigned long first = d * per, n = first < npages ?
			(npages - first < per ? npages - first : per) : 0;
		struct gmem_sim_run run;

		fds[d] = open(devs[d], O_RDWR);
		if (fds[d] < 0) {
			fprintf(stderr, "gmem-hold: %s: %s\n", devs[d],
				strerror(errno));
			return 1;
		}
		if (n && dev_run(fds[d], (char *)p + first * page_size,
				 n * page_size, GMEM_SIM_SEQUENTIAL,
				 GMEM_SIM_RMW, 0, &run)) {
			fprintf(stderr, "gmem-hold: device run on %s: %s\n",
				devs[d], strerror(errno));
			return 1;
		}
	}
	if (close_fds)
		for (d = 0; d < ndev; d++)
			close(fds[d]);
	printf("ready: %lu pages on %d device%s%s\n", npages, ndev,
	       ndev > 1 ? "s" : "", close_fds ? ", detached" : "");
	fflush(stdout);
	if (exit_now)
		return 0;
	while (!got)
		sigsuspend(&old);
	if (got == SIGTERM)
		return 0;
	for (i = 0; i < npages * page_size / 8; i++)
		if (p[i] != word(i) + 1 && bad++ < 5)
			fprintf(stderr, "gmem-hold: word %lu is %#llx, want %#llx\n",
				i, (unsigned long long)p[i],
				(unsigned long long)word(i) + 1);
	if (bad) {
		printf("checked %lu pages: %lu words wrong\n", npages, bad);
		return 1;
	}
	printf("checked %lu pages: ok\n", npages);
	return 0;
}
