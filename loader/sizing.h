/* SPDX-License-Identifier: GPL-2.0 */
/* gmemctl load: per-frame state sized to the devices present (sizing.c). */
#ifndef GMEMCTL_SIZING_H
#define GMEMCTL_SIZING_H

struct bpf_object;

/*
 * Size the per-frame state of the opened, not loaded @obj to the devices
 * present: 0 (also when there is no device, or the policy keeps no
 * per-frame state), or 1 once a message said why not. @path names the
 * object in messages.
 */
int size_frame_state(struct bpf_object *obj, const char *path);

#endif /* GMEMCTL_SIZING_H */
