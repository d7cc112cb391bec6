/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hmadvise() for programs: glibc has no wrapper for it. Build against the
 * UAPI headers of the GMEM kernel (make installs them in build/headers).
 *
 *   #include <gmem/hmadvise.h>
 *   if (hmadvise(hnid, buf, len, MADV_PREFETCH))
 *           perror("hmadvise");
 */
#ifndef GMEM_HMADVISE_H
#define GMEM_HMADVISE_H

#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/gmem.h>
#include <linux/mman.h>

#ifndef __NR_hmadvise
#error "__NR_hmadvise is missing: use the UAPI headers of the GMEM kernel"
#endif

/* Returns 0, or -1 with errno set (see docs/hmadvise.md). */
static inline int hmadvise(int hnid, void *start, size_t len, int advice)
{
	return syscall(__NR_hmadvise, hnid, start, len, advice);
}

#endif /* GMEM_HMADVISE_H */
