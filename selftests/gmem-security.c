// SPDX-License-Identifier: GPL-2.0
/*
 * Security tests of gmem_sim's device files (mode 0666: any user may open
 * them), run by selftests/security.bats as root and as an unprivileged
 * user. kselftest harness, like gmem-tests.
 *
 * What a device file gives: open() attaches the *opener's* address space
 * (current->mm) to the device; every ioctl on that file, whoever makes it,
 * drives faults in that address space only, and only in its
 * MAP_PEER_SHARED mappings, with their protections. A file passed on
 * (SCM_RIGHTS, fork, pidfd_getfd) is a capability to that address space,
 * like a file of /proc/PID/mem: passing it is the opener's decision, and
 * pidfd_getfd() needs ptrace rights over the opener. These tests check
 * that boundary, that every ioctl copies user memory safely whatever the
 * pointers, and that no data crosses between processes through device
 * memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The harness's functions, TEST()'s too, have parameters they do not use. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "gmem_test_lib.h"
#include "gmem/hmadvise.h"

#define NOBODY 65534
/* A gap no test process maps anything in, below its own mappings. */
#define UNUSED_BELOW (64UL << 30)

/* Pointers no ioctl may follow. */
static const uint64_t bad_ptrs[] = {
	0, 1, 16, 4096,
	0xffff888000000000ULL,		/* the direct map */
	0xffffffff81000000ULL,		/* kernel text */
	0xfffffffffffff000ULL,
	0x0000800000000000ULL,		/* non-canonical */
	0x8000000000000000ULL,
	0x00007ffffffff000ULL,		/* the top user page */
};

static int ioc(int fd, unsigned long cmd, const void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/*
 * A page, then unmapped address space: things straddling the end of a
 * mapping. Far below the mmap base, so that no other mapping fills the
 * hole after it.
 */
static char *page_then_hole(void)
{
	char *p = mmap((void *)0x300000000000UL, page_size,
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_FIXED_NOREPLACE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		_exit(90);
}

FIXTURE(sec)
{
	int fd;
	char *peer;		/* 4 pages, MAP_PEER_SHARED */
	char *edge;		/* a page before a hole */
	char *ro;		/* a read-only page */
	char *none;		/* a PROT_NONE page */
};

FIXTURE_SETUP(sec)
{
	page_size = sysconf(_SC_PAGE_SIZE);
	self->fd = open(DEV0, O_RDWR);
	ASSERT_GE(self->fd, 0);
	self->peer = peer_mmap(4 * page_size, PROT_READ | PROT_WRITE);
	ASSERT_NE(self->peer, MAP_FAILED);
	memset(self->peer, 0x5a, 4 * page_size);
	self->edge = page_then_hole();
	ASSERT_NE(self->edge, NULL);
	self->ro = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(self->ro, MAP_FAILED);
	self->none = mmap(NULL, page_size, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(self->none, MAP_FAILED);
}

FIXTURE_TEARDOWN(sec)
{
	close(self->fd);
	munmap(self->peer, 4 * page_size);
	munmap(self->edge, page_size);
	munmap(self->ro, page_size);
	munmap(self->none, page_size);
}

/* The argument struct itself at a bad address: EFAULT from every ioctl. */
TEST_F(sec, argument_structs_at_bad_addresses)
{
	static const unsigned long cmds[] = {
		GMEM_SIM_IOC_RUN, GMEM_SIM_IOC_READ, GMEM_SIM_IOC_WRITE,
		GMEM_SIM_IOC_COUNTERS, GMEM_SIM_IOC_SCRATCH,
	};
	unsigned int i, c;

	for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		size_t size = _IOC_SIZE(cmds[c]);

		for (i = 0; i < sizeof(bad_ptrs) / sizeof(bad_ptrs[0]); i++)
			EXPECT_EQ(ioc(self->fd, cmds[c], (void *)bad_ptrs[i]),
				  -EFAULT) TH_LOG("cmd %#lx arg %#llx", cmds[c],
						  (unsigned long long)bad_ptrs[i]);
		/* Unreadable, and running off the end of a mapping. */
		EXPECT_EQ(ioc(self->fd, cmds[c], self->none), -EFAULT);
		EXPECT_EQ(ioc(self->fd, cmds[c],
			      self->edge + page_size - size + 8), -EFAULT);
	}
	EXPECT_EQ(dev_counters(self->fd).mem_used, 0);
}

/*
 * Output structs that are readable but not writable: the ioctl may do its
 * work, it must then fail with EFAULT. SCRATCH only reads its argument.
 */
TEST_F(sec, read_only_output_structs)
{
	struct gmem_sim_run *run = (void *)self->ro;
	struct gmem_sim_rw *rw = (void *)(self->ro + 512);
	struct gmem_sim_scratch *sc = (void *)(self->ro + 1024);
	char buf[64];

	memset(run, 0, sizeof(*run));
	run->addr = (uintptr_t)self->peer;
	run->size = page_size;
	run->op = GMEM_SIM_READ;
	memset(rw, 0, sizeof(*rw));
	rw->addr = (uintptr_t)self->peer;
	rw->ptr = (uintptr_t)buf;
	rw->size = sizeof(buf);
	sc->size = 0;
	ASSERT_EQ(mprotect(self->ro, page_size, PROT_READ), 0);

	EXPECT_EQ(ioc(self->fd, GMEM_SIM_IOC_RUN, run), -EFAULT);
	EXPECT_EQ(ioc(self->fd, GMEM_SIM_IOC_READ, rw), -EFAULT);
	EXPECT_EQ(ioc(self->fd, GMEM_SIM_IOC_WRITE, rw), -EFAULT);
	EXPECT_EQ(ioc(self->fd, GMEM_SIM_IOC_COUNTERS, self->ro), -EFAULT);
	EXPECT_EQ(ioc(self->fd, GMEM_SIM_IOC_SCRATCH, sc), 0);
	/* Nothing written through the read-only mapping. */
	EXPECT_EQ(run->faults, 0);
	EXPECT_EQ(rw->faults, 0);
}

/* Misaligned argument structs are fine. */
TEST_F(sec, misaligned_argument_structs)
{
	char raw[sizeof(struct gmem_sim_counters) + 16];
	struct gmem_sim_run run = {
		.addr = (uintptr_t)self->peer, .size = page_size,
		.op = GMEM_SIM_READ,
	};
	char *p;
	int off;

	for (off = 1; off < 8; off++)
		EXPECT_EQ(ioc(self->fd, GMEM_SIM_IOC_COUNTERS, raw + off), 0);
	p = self->edge + 1;
	memcpy(p, &run, sizeof(run));
	EXPECT_EQ(ioc(self->fd, GMEM_SIM_IOC_RUN, p), 0);
	memcpy(&run, p, sizeof(run));
	EXPECT_EQ(run.checksum, 0x5a5a5a5a5a5a5a5aULL * (page_size / 8));
}

/* The user buffers the structs point to: READ's, WRITE's, RUN's list. */
TEST_F(sec, bad_buffers_behind_the_structs)
{
	uint64_t list[4] = { 0, 1, 2, 3 };
	struct gmem_sim_run run = {
		.addr = (uintptr_t)self->peer, .size = 4 * page_size,
		.pattern = GMEM_SIM_LIST, .op = GMEM_SIM_READ, .accesses = 4,
	};
	char *buf = malloc(2 * page_size);
	unsigned int i;

	ASSERT_NE(buf, NULL);
	for (i = 0; i < sizeof(bad_ptrs) / sizeof(bad_ptrs[0]); i++) {
		EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_READ, self->peer,
				 (void *)bad_ptrs[i], 64), -EFAULT);
		EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_WRITE, self->peer,
				 (void *)bad_ptrs[i], 64), -EFAULT);
		run.list = bad_ptrs[i];
		EXPECT_EQ(ioc(self->fd, GMEM_SIM_IOC_RUN, &run), -EFAULT);
	}
	/* Read-only: a source for WRITE, never a destination for READ. */
	memset(self->ro, 0x11, page_size);
	ASSERT_EQ(mprotect(self->ro, page_size, PROT_READ), 0);
	EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_READ, self->peer, self->ro,
			 64), -EFAULT);
	EXPECT_EQ((unsigned char)self->ro[0], 0x11);
	EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_WRITE, self->peer, self->ro,
			 64), 0);
	EXPECT_EQ((unsigned char)self->peer[63], 0x11);
	EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_READ, self->peer, self->none,
			 64), -EFAULT);
	EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_WRITE, self->peer, self->none,
			 64), -EFAULT);
	/* Running off the end of the buffer's mapping. */
	EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_READ, self->peer,
			 self->edge + page_size / 2, page_size), -EFAULT);
	EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_WRITE, self->peer,
			 self->edge + page_size / 2, page_size), -EFAULT);
	/* A list whose end runs into the hole. */
	memcpy(self->edge + page_size - 16, list, 16);
	run.list = (uintptr_t)(self->edge + page_size - 16);
	EXPECT_EQ(ioc(self->fd, GMEM_SIM_IOC_RUN, &run), -EFAULT);
	/* Device addresses: kernel, past the end of the peer mapping. */
	EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_READ,
			 (void *)0xffff888000000000ULL, buf, 64), -EFAULT);
	EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_WRITE,
			 (void *)0xffffffff81000000ULL, buf, 64), -EFAULT);
	EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_READ,
			 self->peer + 3 * page_size + 100, buf, page_size),
		  -EFAULT);
	EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_READ, self->peer, buf,
			 (64UL << 20) + 1), -EINVAL);
	EXPECT_EQ(dev_rw(self->fd, GMEM_SIM_IOC_READ, (void *)-64UL, buf,
			 128), -EINVAL);
	/* Kernel addresses as device ranges. */
	EXPECT_EQ(dev_run(self->fd, (void *)0xffff888000000000ULL, page_size,
			  GMEM_SIM_SEQUENTIAL, GMEM_SIM_WRITE, 0, NULL), -EFAULT);
	free(buf);
}

/*
 * Pages a device hands out were zeroed or copied: device memory another
 * process wrote never shows through, to another user (when run as root)
 * or to anyone.
 */
/*
 * Scratch memory is never evicted: without CAP_IPC_LOCK, one user could
 * take every frame of the device from everybody else.
 */
TEST(scratch_memory_needs_cap_ipc_lock)
{
	struct gmem_sim_scratch sc = { .size = 2UL << 20 };
	int fd, status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (geteuid() == 0)
			drop_to_nobody();
		fd = open(DEV0, O_RDWR);
		if (fd < 0)
			_exit(2);
		if (ioc(fd, GMEM_SIM_IOC_SCRATCH, &sc) != -EPERM)
			_exit(1);
		sc.size = 0;	/* freeing nothing is always allowed */
		_exit(ioc(fd, GMEM_SIM_IOC_SCRATCH, &sc) ? 3 : 0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	/*
	 * The half that root may take scratch memory is not run: say so. The
	 * harness's SKIP() also marks the test passed, so only once the first
	 * half did pass.
	 */
	if (geteuid() != 0) {
		if (_metadata->passed)
			SKIP(return, "root's half (with CAP_IPC_LOCK, scratch memory is granted) needs root");
		return;
	}
	fd = open(DEV0, O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(ioc(fd, GMEM_SIM_IOC_SCRATCH, &sc), 0);
	EXPECT_EQ(dev_counters(fd).mem_used, sc.size);
	close(fd);
	fd = open(DEV0, O_RDWR);	/* closing gave it back */
	ASSERT_GE(fd, 0);
	EXPECT_EQ(dev_counters(fd).mem_used, 0);
	close(fd);
}

/*
 * /proc/PID/gmem_policy checks the opener as well as the writer: a file
 * opened unprivileged and written by a privileged program (the setuid
 * pattern: drop the effective uid, open, take it back) changes nothing.
 */
TEST(gmem_policy_file_opened_unprivileged_cannot_be_written)
{
	int dev, fd;

	if (geteuid() != 0)
		SKIP(return, "needs root, to raise the effective uid again");
	dev = open(DEV0, O_RDWR);	/* gives the process an address space */
	ASSERT_GE(dev, 0);
	ASSERT_EQ(setresuid(-1, NOBODY, -1), 0);
	/* Changing the uid made us undumpable: /proc/self would be root's. */
	ASSERT_EQ(prctl(PR_SET_DUMPABLE, 1), 0);
	fd = open("/proc/self/gmem_policy", O_WRONLY);
	ASSERT_EQ(setresuid(-1, 0, -1), 0);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(write(fd, "system", 6), -1);
	EXPECT_EQ(errno, EPERM);
	close(fd);
	fd = open("/proc/self/gmem_policy", O_WRONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(write(fd, "system", 6), 6);
	close(fd);
	close(dev);
}

TEST(freed_device_memory_does_not_leak_to_the_next_user)
{
	int fd = open(DEV0, O_RDWR), status;
	size_t size;
	pid_t pid;

	page_size = sysconf(_SC_PAGE_SIZE);
	ASSERT_GE(fd, 0);
	size = dev_counters(fd).mem_total / 2;
	close(fd);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Fill half the device with a "secret", then exit. */
		void *s = peer_mmap(size, PROT_READ | PROT_WRITE);

		fd = open(DEV0, O_RDWR);
		_exit(fd < 0 || s == MAP_FAILED ||
		      dev_run(fd, s, size, GMEM_SIM_SEQUENTIAL, GMEM_SIM_WRITE,
			      0x5ec2e7, NULL));
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_EQ(WEXITSTATUS(status), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		uint64_t *buf = malloc(size), i;
		char *p = peer_mmap(size, PROT_READ | PROT_WRITE);

		if (geteuid() == 0)
			drop_to_nobody();
		fd = open(DEV0, O_RDWR);
		if (!buf || p == MAP_FAILED || fd < 0)
			_exit(2);
		/* Device reads of untouched memory: zero-filled device pages. */
		if (dev_rw(fd, GMEM_SIM_IOC_READ, p, buf, size))
			_exit(3);
		for (i = 0; i < size / 8; i++)
			if (buf[i])
				_exit(1);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

/*
 * A device file passed with SCM_RIGHTS drives its opener's address space:
 * in its MAP_PEER_SHARED mappings only, with their protections; never the
 * receiver's own memory. Once the opener exits, ESRCH.
 */
static int send_fd(int sock, int fd)
{
	char c = 'f', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Addresses the opener shares with the receiver through a pipe. */
struct opener_layout {
	uint64_t peer, peer_ro, plain;
};

TEST(scm_rights_fd_drives_only_the_openers_peer_memory)
{
	struct opener_layout lay;
	int sv[2], sync[2], fd, status;
	uint64_t buf[8], *mine, v = 0xbad;
	char c;
	pid_t opener;

	page_size = sysconf(_SC_PAGE_SIZE);
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ASSERT_EQ(pipe(sync), 0);
	opener = fork();
	ASSERT_GE(opener, 0);
	if (opener == 0) {
		uint64_t *peer = peer_mmap(page_size, PROT_READ | PROT_WRITE);
		uint64_t *ro = peer_mmap(page_size, PROT_READ | PROT_WRITE);
		uint64_t *plain = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int dfd = open(DEV0, O_RDWR);

		/* Only the receiver's ends: its exit must end our wait. */
		close(sv[1]);
		close(sync[0]);
		if (dfd < 0 || peer == MAP_FAILED || ro == MAP_FAILED)
			_exit(1);
		peer[0] = 0x0be7e7;
		ro[0] = 0x1234;
		plain[0] = 0x5678;
		mprotect(ro, page_size, PROT_READ);
		lay.peer = (uintptr_t)peer;
		lay.peer_ro = (uintptr_t)ro;
		lay.plain = (uintptr_t)plain;
		if (write(sync[1], &lay, sizeof(lay)) != sizeof(lay) ||
		    send_fd(sv[0], dfd))
			_exit(2);
		close(dfd);
		/* Until the receiver is done, then check what it did. */
		if (read(sv[0], &c, 1) != 1)
			_exit(3);
		_exit(peer[0] != 0xfeed || ro[0] != 0x1234 || plain[0] != 0x5678);
	}
	close(sv[0]);
	close(sync[1]);
	ASSERT_EQ(read(sync[0], &lay, sizeof(lay)), sizeof(lay));
	fd = recv_fd(sv[1]);
	ASSERT_GE(fd, 0);

	/* The opener's peer page: readable and writable, as it allows. */
	EXPECT_EQ(dev_rw(fd, GMEM_SIM_IOC_READ, (void *)lay.peer, buf, 8), 0);
	EXPECT_EQ(buf[0], 0x0be7e7);
	v = 0xfeed;
	EXPECT_EQ(dev_rw(fd, GMEM_SIM_IOC_WRITE, (void *)lay.peer, &v, 8), 0);
	/* Not past its protections, not outside MAP_PEER_SHARED. */
	EXPECT_EQ(dev_rw(fd, GMEM_SIM_IOC_WRITE, (void *)lay.peer_ro, &v, 8),
		  -EPERM);
	EXPECT_EQ(dev_rw(fd, GMEM_SIM_IOC_READ, (void *)lay.plain, buf, 8),
		  -EFAULT);
	EXPECT_EQ(dev_rw(fd, GMEM_SIM_IOC_WRITE, (void *)lay.plain, &v, 8),
		  -EFAULT);
	/*
	 * The receiver's own peer memory is not the device's to touch. At an
	 * address the opener has nothing at: far below its mmap()s, which
	 * grow down. Above them it could be past the top of the address
	 * space, the mmap base being random.
	 */
	mine = mmap((void *)(lay.peer - UNUSED_BELOW), page_size,
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_PEER_SHARED | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_NE(mine, MAP_FAILED);
	mine[0] = 0x77;
	EXPECT_EQ(dev_rw(fd, GMEM_SIM_IOC_WRITE, mine, &v, 8), -EFAULT);
	EXPECT_EQ(mine[0], 0x77);
	/* Nor is the device attached to the receiver. */
	EXPECT_EQ(hmadvise(sysfs_long("/sys/kernel/gmem/devices/gmem_sim0/hnid"),
			   mine, page_size, MADV_PREFETCH), -1);
	EXPECT_EQ(errno, ENODEV);

	ASSERT_EQ(write(sv[1], "x", 1), 1);
	ASSERT_EQ(waitpid(opener, &status, 0), opener);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	/* The opener is gone: its address space with it. */
	EXPECT_EQ(dev_rw(fd, GMEM_SIM_IOC_READ, (void *)lay.peer, buf, 8),
		  -ESRCH);
	EXPECT_EQ(dev_counters(fd).mem_used, 0);
	close(fd);
	close(sv[1]);
	close(sync[0]);
	munmap(mine, page_size);
}

/*
 * After fork the child's copy of a device file still drives the parent's
 * address space (the opener's), never the child's own: the child sees the
 * parent's data, not its copy-on-write copy.
 */
TEST(inherited_fd_drives_the_parent_not_the_child)
{
	uint64_t *p;
	int fd, status;
	pid_t pid;

	page_size = sysconf(_SC_PAGE_SIZE);
	fd = open(DEV0, O_RDWR);
	ASSERT_GE(fd, 0);
	p = peer_mmap(page_size, PROT_READ | PROT_WRITE);
	ASSERT_NE(p, MAP_FAILED);
	p[0] = 1;
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		uint64_t got = 0, *q;

		p[0] = 2;		/* the child's own copy */
		if (dev_rw(fd, GMEM_SIM_IOC_READ, p, &got, 8) || got != 1)
			_exit(1);	/* the device sees the parent's */
		q = mmap((void *)((uintptr_t)p - UNUSED_BELOW), page_size,
			 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_PEER_SHARED | MAP_FIXED_NOREPLACE, -1, 0);
		if (q == MAP_FAILED)
			_exit(2);
		if (dev_rw(fd, GMEM_SIM_IOC_READ, q, &got, 8) != -EFAULT)
			_exit(3);
		_exit(p[0] != 2);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	EXPECT_EQ(p[0], 1);
	close(fd);
	munmap(p, page_size);
}

/* pidfd_getfd() of another user's device file: no ptrace rights, EPERM. */
TEST(pidfd_getfd_of_another_users_device_file_is_refused)
{
	int fd, status, pidfd;
	pid_t me = getpid(), pid;

	if (geteuid() != 0)
		SKIP(return, "needs root, to be another user than nobody");
	fd = open(DEV0, O_RDWR);
	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		drop_to_nobody();
		pidfd = syscall(SYS_pidfd_open, me, 0);
		if (pidfd < 0)
			_exit(4);
		if (syscall(SYS_pidfd_getfd, pidfd, fd, 0) >= 0)
			_exit(5);
		_exit(errno == EPERM ? 0 : 6);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	EXPECT_EQ(dev_counters(fd).contexts, 1);
	close(fd);
}

static int policy_is_none(void)
{
	char buf[64] = "";
	int fd = open("/proc/self/gmem_policy", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n > 0 && !strncmp(buf, "none", 4);
}

/*
 * A device mapping must not outlive the page it maps. The attacker (an
 * unprivileged user when run as root) recreates its GMEM address space
 * (closes its last device file and opens another) while a page of it
 * stays on the device; the device then maps that resident page; the CPU
 * takes it back. The device must fault again, not keep reading, or
 * writing, the frame the page left, which the victim's page (root's) may
 * hold by then.
 */
TEST(device_mapping_does_not_outlive_its_page)
{
	int to_victim[2], to_attacker[2], status, vfd;
	uint64_t *q;
	pid_t attacker;
	char c;

	page_size = sysconf(_SC_PAGE_SIZE);
	ASSERT_EQ(pipe(to_victim), 0);
	ASSERT_EQ(pipe(to_attacker), 0);
	attacker = fork();
	ASSERT_GE(attacker, 0);
	if (attacker == 0) {
		uint64_t *p, got = 0, v = 0xdead;
		int fd, i, ret = 0;

		if (geteuid() == 0)
			drop_to_nobody();
		p = peer_mmap(page_size, PROT_READ | PROT_WRITE);
		fd = open(DEV0, O_RDWR);
		if (fd < 0 || p == MAP_FAILED)
			_exit(64);
		p[0] = 0xaaaa;
		if (dev_run(fd, p, page_size, GMEM_SIM_SEQUENTIAL,
			    GMEM_SIM_RMW, 0, NULL))
			_exit(65);		/* on the device: 0xaaab */
		close(fd);
		for (i = 0; i < 100 && !policy_is_none(); i++)
			usleep(10000);
		if (!policy_is_none())
			_exit(66);		/* the gm_as is gone */
		fd = open(DEV0, O_RDWR);
		if (fd < 0 || dev_rw(fd, GMEM_SIM_IOC_READ, p, &got, 8) ||
		    got != 0xaaab || p[0] != 0xaaab)
			_exit(67);		/* mapped; back on the CPU */
		p[0] = 0xbbbb;
		if (dev_rw(fd, GMEM_SIM_IOC_READ, p, &got, 8))
			_exit(68);
		if (got != 0xbbbb)
			ret |= 1;		/* a stale read */
		if (write(to_victim[1], "x", 1) != 1 ||
		    read(to_attacker[0], &c, 1) != 1)
			_exit(69);
		dev_rw(fd, GMEM_SIM_IOC_WRITE, p, &v, 8);
		if (p[0] != 0xdead)
			ret |= 2;		/* the write went elsewhere */
		_exit(ret);
	}
	ASSERT_EQ(read(to_victim[0], &c, 1), 1);
	/* The victim takes a device page now: likely the freed frame. */
	vfd = open(DEV0, O_RDWR);
	ASSERT_GE(vfd, 0);
	q = peer_mmap(page_size, PROT_READ | PROT_WRITE);
	ASSERT_NE(q, MAP_FAILED);
	q[0] = 0x1111;
	ASSERT_EQ(dev_run(vfd, q, page_size, GMEM_SIM_SEQUENTIAL, GMEM_SIM_RMW,
			  0, NULL), 0);
	ASSERT_EQ(write(to_attacker[1], "x", 1), 1);
	ASSERT_EQ(waitpid(attacker, &status, 0), attacker);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_LT(WEXITSTATUS(status), 64) TH_LOG("setup failed: %d",
						  WEXITSTATUS(status));
	EXPECT_FALSE(WEXITSTATUS(status) & 1)
		TH_LOG("the device read a frame its page had left");
	EXPECT_FALSE(WEXITSTATUS(status) & 2)
		TH_LOG("the device wrote a frame its page had left");
	EXPECT_EQ(q[0], 0x1112) TH_LOG("another user's page was overwritten");
	close(vfd);
	munmap(q, page_size);
}

/* /proc/PID/gmem_policy takes the target's mmap lock: ptrace read only. */
TEST(gmem_policy_file_of_another_user_is_not_readable)
{
	int pipefd[2], status;
	char buf[64];
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root, to be another user than nobody");
	ASSERT_EQ(pipe(pipefd), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int fd, n, err = 0;

		drop_to_nobody();
		fd = open("/proc/1/gmem_policy", O_RDONLY);
		if (fd < 0)
			err = errno;
		else if ((n = read(fd, buf, sizeof(buf))) < 0)
			err = errno;
		if (write(pipefd[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		_exit(0);
	}
	{
		int err = -1;

		ASSERT_EQ(read(pipefd[0], &err, sizeof(err)), sizeof(err));
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		EXPECT_TRUE(err == EACCES || err == EPERM)
			TH_LOG("nobody reading /proc/1/gmem_policy: %s",
			       err ? strerror(err) : "read it");
	}
}

/*
 * Device memory nobody can get back: an unprivileged process fills the
 * device, then either detaches (its pages lose their address space) or
 * keeps its own mmap lock busy (mmap(MAP_FIXED) in a loop). Either way
 * another process must still get the whole device, by eviction; ENOMEM
 * is for strict capacity only.
 */
enum hog_trick { HOG_DETACH, HOG_BUSY_MMAP_LOCK };

static void *hog_mmap_loop(void *arg)
{
	char *spare = arg;

	for (;;) {
		if (mmap(spare, page_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != spare)
			_exit(91);
	}
	return NULL;
}

static void hog(size_t size, enum hog_trick trick, int ready)
{
	int fd = open(DEV0, O_RDWR);
	char *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	char *spare = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t t;

	if (fd < 0 || p == MAP_FAILED || spare == MAP_FAILED)
		_exit(92);
	if (dev_run(fd, p, size, GMEM_SIM_SEQUENTIAL, GMEM_SIM_WRITE, 7, NULL))
		_exit(93);
	if (trick == HOG_DETACH)
		close(fd);
	else if (pthread_create(&t, NULL, hog_mmap_loop, spare))
		_exit(94);
	if (write(ready, "x", 1) != 1)
		_exit(95);
	for (;;)
		pause();
}

static void device_is_not_hogged(struct __test_metadata *_metadata,
				 enum hog_trick trick)
{
	int fd = open(DEV0, O_RDWR), pipefd[2], i, enomem = 0, wrong = 0;
	int status;
	size_t size;
	uint64_t *w;
	char c;
	pid_t pid;

	page_size = sysconf(_SC_PAGE_SIZE);
	ASSERT_GE(fd, 0);
	if (geteuid())
		SKIP(return, "needs root, to run the hog as nobody");
	size = dev_counters(fd).mem_total;
	ASSERT_EQ(pipe(pipefd), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		drop_to_nobody();
		hog(size, trick, pipefd[1]);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1) {
		waitpid(pid, &status, 0);
		ASSERT_TRUE(0) TH_LOG("hog failed before it was ready: exit %d",
				      WEXITSTATUS(status));
	}
	EXPECT_GE(dev_counters(fd).mem_used, size);

	w = peer_mmap(size, PROT_READ | PROT_WRITE);
	ASSERT_NE(w, MAP_FAILED);
	for (i = 0; i < 3; i++) {
		int ret = dev_run(fd, w, size, GMEM_SIM_SEQUENTIAL,
				  GMEM_SIM_WRITE, 0x5eed, NULL);

		if (ret == -ENOMEM)
			enomem++;
		else
			EXPECT_EQ(ret, 0);
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("hog exited %d",
						 WEXITSTATUS(status));
	EXPECT_EQ(enomem, 0);
	for (i = 0; i < (int)(size / 8); i += 509)
		wrong += w[i] != written_word(0x5eed, &w[i]);
	EXPECT_EQ(wrong, 0);
	munmap(w, size);
	close(fd);
}

TEST(detached_process_cannot_keep_device_memory)
{
	device_is_not_hogged(_metadata, HOG_DETACH);
}

TEST(busy_mmap_lock_cannot_keep_device_memory)
{
	device_is_not_hogged(_metadata, HOG_BUSY_MMAP_LOCK);
}

TEST_HARNESS_MAIN
