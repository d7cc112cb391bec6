/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The layout of policies' per-frame state, for the BPF side
 * (gmem_policy.h) and for gmemctl, which sizes it at load
 * (loader/sizing.c). Slot of frame F of device D: D * gmem_dev_frames + F.
 */
#ifndef GMEM_SLOTS_H
#define GMEM_SLOTS_H

/* Until gmemctl sizes them: 4 devices of 64 Ki frames (256 MiB each). */
#define GMEM_MAX_DEVICES	4
#define GMEM_MAX_FRAMES		(1U << 16)
#define GMEM_SLOTS		(GMEM_MAX_DEVICES * GMEM_MAX_FRAMES)
/*
 * A map of GMEM_SLOTS + n entries, n < GMEM_SLOTS_EXTRA, holds per-frame
 * state (and n more, such as list heads): gmemctl makes it
 * gmem_nr_devices * gmem_dev_frames + n entries.
 */
#define GMEM_SLOTS_EXTRA	64

#endif /* GMEM_SLOTS_H */
