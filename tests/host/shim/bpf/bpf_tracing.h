/* SPDX-License-Identifier: GPL-2.0 */
/* Nothing of libbpf's bpf_tracing.h runs on the host: hooks are not built. */
