/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A loaded policy's maps, pinned in bpffs under GMEM_PIN_DIR/NAME/ (pin.c):
 * one file per map, named as in the object, the data sections as rodata,
 * data and bss. bpftool finds one policy's map by path when several
 * policies have maps of the same name:
 *
 *   bpftool map dump pinned /sys/fs/bpf/gmem/seq/seq_streams
 *
 * gmemctl load pins them once the policy is registered and gmemctl unload
 * removes them; the struct_ops map itself is not pinned (a pin would keep
 * it, and its programs, after an unregistration by bpftool).
 */
#ifndef GMEMCTL_PIN_H
#define GMEMCTL_PIN_H

#include <stdbool.h>

struct bpf_map;
struct bpf_object;

#define BPFFS_DIR	"/sys/fs/bpf"
#define GMEM_PIN_DIR	BPFFS_DIR "/gmem"

/*
 * Pin the maps of the loaded @obj but @ops_map as those of policy @name.
 * A directory left from an earlier policy of that name (gmemctl killed,
 * or the policy unregistered by bpftool) is replaced, with a note. Pins
 * what it can; each failure is a warning on stderr, never an error: the
 * policy is registered already.
 */
void pin_policy_maps(struct bpf_object *obj, const struct bpf_map *ops_map,
		     const char *name);

/*
 * Remove policy @name's pins: 0 (also if it had none; *@had says whether
 * it had), or -errno once a warning said what is left.
 */
int unpin_policy_maps(const char *name, bool *had);

#endif /* GMEMCTL_PIN_H */
