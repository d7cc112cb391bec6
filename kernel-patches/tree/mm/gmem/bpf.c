// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM policies as BPF struct_ops: a BPF_MAP_TYPE_STRUCT_OPS map of
 * struct gmem_policy_ops registers a policy when its element is updated
 * (bpftool struct_ops register, libbpf's bpf_map__attach_struct_ops())
 * and unregisters it when the element is deleted (bpftool struct_ops
 * unregister). The registry is in policy.c, the hook calls and the
 * kfuncs in decide.c.
 */

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/gmem.h>

/* "extern" is to avoid a sparse warning: only bpf_struct_ops.c uses it. */
extern struct bpf_struct_ops bpf_gmem_policy_ops;

static int gmem_bpf_init(struct btf *btf)
{
	/* The flags policies test, in vmlinux BTF and so in vmlinux.h. */
	BTF_TYPE_EMIT(enum gmem_limits);
	BTF_TYPE_EMIT(enum gmem_page_flags);
	BTF_TYPE_EMIT(enum gmem_frame_state_flags);
	BTF_TYPE_EMIT(enum gmem_place_flags);
	BTF_TYPE_EMIT(enum gmem_placement);
	return 0;
}

/* Hooks get everything they may know as arguments: reads only. */
static int gmem_bpf_btf_struct_access(struct bpf_verifier_log *log,
				      const struct btf *btf,
				      const struct btf_type *t, int off,
				      int size, enum bpf_access_type atype,
				      u32 *next_btf_id,
				      enum bpf_type_flag *flag)
{
	if (atype != BPF_READ) {
		bpf_log(log, "gmem policies only read; they decide by kfunc\n");
		return -EACCES;
	}
	return btf_struct_access(log, btf, t, off, size, atype, next_btf_id,
				 flag);
}

static const struct bpf_func_proto *
gmem_bpf_get_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	return bpf_base_func_proto(func_id);
}

static const struct bpf_verifier_ops gmem_bpf_verifier_ops = {
	.get_func_proto = gmem_bpf_get_func_proto,
	.is_valid_access = bpf_tracing_btf_ctx_access,
	.btf_struct_access = gmem_bpf_btf_struct_access,
};

static int gmem_bpf_init_member(const struct btf_type *t,
				const struct btf_member *member,
				void *kdata, const void *udata)
{
	const struct gmem_policy_ops *uops = udata;
	struct gmem_policy_ops *ops = kdata;

	if (__btf_member_bit_offset(t, member) / 8 !=
	    offsetof(struct gmem_policy_ops, name))
		return 0;
	if (strnlen(uops->name, sizeof(uops->name)) == sizeof(uops->name))
		return -EINVAL;
	if (!gm_policy_name_valid(uops->name))
		return -EINVAL;
	strscpy(ops->name, uops->name, sizeof(ops->name));
	return 1;
}

/* Registering changes how every process's memory moves: admins only. */
static int gmem_bpf_reg(void *kdata)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return gm_policy_register(kdata);
}

static void gmem_bpf_unreg(void *kdata)
{
	gm_policy_unregister(kdata);
}

struct bpf_struct_ops bpf_gmem_policy_ops = {
	.verifier_ops = &gmem_bpf_verifier_ops,
	.init = gmem_bpf_init,
	.init_member = gmem_bpf_init_member,
	.reg = gmem_bpf_reg,
	.unreg = gmem_bpf_unreg,
	.name = "gmem_policy_ops",
};

BTF_SET8_START(gmem_kfunc_ids)
BTF_ID_FLAGS(func, gmem_prefetch_range)
BTF_ID_FLAGS(func, gmem_prefetch_verdicts)
BTF_ID_FLAGS(func, gmem_evict_frame)
BTF_ID_FLAGS(func, gmem_frame_state)
BTF_ID_FLAGS(func, gmem_frame_take_referenced)
BTF_SET8_END(gmem_kfunc_ids)

static const struct btf_kfunc_id_set gmem_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &gmem_kfunc_ids,
};

static int __init gmem_bpf_kfunc_init(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					 &gmem_kfunc_set);
}
late_initcall(gmem_bpf_kfunc_init);
