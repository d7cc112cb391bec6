// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM policies: the registry, binding address spaces to policies,
 * hot swap, the watchdog and /proc/PID/gmem_policy.
 *
 * Prefetch, victim choice and the meaning of policy hints are decided by
 * a policy: a struct gmem_policy_ops, built in (the default, below) or a
 * BPF struct_ops map (bpf.c). Policies register by name in one
 * registry; one is the system default, and an address space either
 * follows it or has selected its own (/proc/PID/gmem_policy).
 *
 * gm_as.policy is RCU-protected: hooks run under rcu_read_lock() and a
 * switch publishes the new policy and leaves the rest to a worker
 * (gm_as_handover_fn()), so a hook in flight completes under the policy
 * it started with, and a swap neither walks device frames nor waits for
 * a grace period: only gm_policy_unregister() does, outside
 * gm_policy_lock. A device fault reads the policy once and decides with
 * it from start to end (struct gm_fault, under SRCU). Residency events go
 * to the policy recorded in the frame (gm_frame.policy), which the worker
 * moves from old to new under the device's frame lock, page_removed()
 * then page_added(), so every policy sees each of its pages added and
 * removed exactly once; the old binding's exit() comes after that, a
 * grace period and the faults that began under it (struct gm_retire).
 *
 * Decisions are validated by the kfuncs; hooks that fail, make only
 * invalid decisions or run too long count against the policy, and the
 * watchdog ejects one that keeps at it: its address spaces fall back to
 * the default. Lock order: mmap_lock -> gm_policy_lock -> gm_global_lock
 * -> gm_dev.lock.
 */

#define pr_fmt(fmt) "gmem: " fmt

#include "internal.h"

static const char * const gm_policy_hook_names[GM_HOOK_NR] = {
	"init", "exit", "prefetch", "evict", "page_added", "page_accessed",
	"page_removed", "hmadvise", "place",
};

DEFINE_MUTEX(gm_policy_lock);	/* the registry and the bindings */
LIST_HEAD(gm_policies);
static struct gm_policy __rcu *gm_system_policy;
unsigned int gm_watchdog_ms = 250;
static atomic64_t gm_as_ids;
static struct kobject *gm_policies_kobj;
static void gm_policy_fallback(struct work_struct *work);
static DECLARE_WORK(gm_policy_fallback_work, gm_policy_fallback);

static struct gmem_policy_ops gm_default_ops = {
	.evict = gm_default_evict,
	.place = gm_default_place,
	.name = "default",
};

struct gm_policy gm_default_policy = {
	.ops = &gm_default_ops,
	.name = "default",
	.builtin = true,
};

/*
 * Device faults read as->policy once, at gm_fault_begin(), and keep using
 * it through sleeps: an old binding's exit() waits for the faults that
 * began before its switch (gm_as_handover_fn()).
 */
DEFINE_STATIC_SRCU(gm_fault_srcu);

/*
 * Under rcu_read_lock(): the policy deciding for @as now; in a device
 * fault of @as, the one that fault began with.
 */
struct gm_policy *gm_as_policy(struct gm_as *as)
{
	struct gm_fault *fault = current->gm_fault;
	struct gm_policy *p = fault && fault->as == as ? fault->policy :
			      rcu_dereference(as->policy);

	return p && gm_policy_live(p) ? p : &gm_default_policy;
}

/**
 * gm_fault_begin() - start deciding a device fault with one policy
 * @fault: the fault's state, on the caller's stack
 * @as: the faulting address space
 *
 * Until gm_fault_end(), every policy hook this task calls for @as goes to
 * the policy @as is bound to now, however it is switched meanwhile. Page
 * events are not decisions: they follow the binding (gm_frame.policy).
 *
 * Return: the index to pass to gm_fault_end().
 */
int gm_fault_begin(struct gm_fault *fault, struct gm_as *as)
{
	int idx = srcu_read_lock(&gm_fault_srcu);

	fault->as = as;
	rcu_read_lock();
	fault->policy = rcu_dereference(as->policy);
	rcu_read_unlock();
	fault->prev = current->gm_fault;
	current->gm_fault = fault;
	return idx;
}

/**
 * gm_fault_end() - the device fault begun with gm_fault_begin() is over
 * @fault: as given to gm_fault_begin()
 * @srcu_idx: what gm_fault_begin() returned
 */
void gm_fault_end(struct gm_fault *fault, int srcu_idx)
{
	current->gm_fault = fault->prev;
	srcu_read_unlock(&gm_fault_srcu, srcu_idx);
}

/*
 * Eject @p: its hooks stop at once, its address spaces fall back in a
 * worker. The first reason is kept and logged; later ones are dropped.
 */
static __printf(3, 4) void gm_policy_eject(struct gm_policy *p,
					   enum gm_policy_hook hook,
					   const char *fmt, ...)
{
	u64 ms = ktime_get_boottime_ns() / NSEC_PER_MSEC;
	char what[96];
	va_list args;

	if (p->builtin || atomic_xchg(&p->ejecting, 1))
		return;
	va_start(args, fmt);
	vsnprintf(what, sizeof(what), fmt, args);
	va_end(args);
	snprintf(p->exit_reason, sizeof(p->exit_reason),
		 "%s: %s at %llu.%03llu s", gm_policy_hook_names[hook], what,
		 ms / MSEC_PER_SEC, ms % MSEC_PER_SEC);
	/* Pairs with exit_reason_show(): the reason is complete first. */
	smp_store_release(&p->ejected, true);
	pr_warn("policy %s ejected, falling back to the default: %s\n",
		p->name, p->exit_reason);
	schedule_work(&gm_policy_fallback_work);
}

u64 gm_policy_enter(struct gm_policy *p)
{
	atomic_long_inc(&p->calls);
	return p->builtin ? 0 : ktime_get_ns();
}

/*
 * Account a hook call that started at @start: @err < 0 is an error,
 * @bad a call whose decisions were all refused. Either strikes; a clean
 * call clears the strikes of its hook alone, else a policy whose every
 * eviction round fails would be cleared by its prefetches, or by the
 * page_removed() of the victims the default took in its place, and never
 * ejected.
 */
void gm_policy_leave(struct gm_policy *p, enum gm_policy_hook hook,
		     u64 start, int err, bool bad)
{
	u64 ns, max, bound;

	if (p->builtin)
		return;
	ns = ktime_get_ns() - start;
	max = atomic64_read(&p->max_ns);
	while (ns > max && !atomic64_try_cmpxchg(&p->max_ns, &max, ns))
		;
	bound = (u64)READ_ONCE(gm_watchdog_ms) * NSEC_PER_MSEC;
	if (bound && ns > bound) {
		atomic_long_inc(&p->stalls);
		gm_policy_eject(p, hook, "ran %llu ms, bound %llu ms",
				ns / NSEC_PER_MSEC, bound / NSEC_PER_MSEC);
	}
	if (err < 0)
		atomic_long_inc(&p->errors);
	if (err >= 0 && !bad) {
		if (atomic_read(&p->strikes[hook]))
			atomic_set(&p->strikes[hook], 0);
		return;
	}
	if (atomic_inc_return(&p->strikes[hook]) < GM_POLICY_STRIKES)
		return;
	if (err < 0)
		gm_policy_eject(p, hook, "returned %d, %d calls in a row failed",
				err, GM_POLICY_STRIKES);
	else
		gm_policy_eject(p, hook, "%d calls in a row made only invalid decisions",
				GM_POLICY_STRIKES);
}

/*
 * A binding that ended: its policy's exit() for its address space runs
 * once its pages were handed over and a grace period later, in a worker,
 * so that a swap neither waits for hooks in flight nor holds
 * gm_policy_lock across a grace period. Kept on gm_as.retiring until
 * then; @p is NULL once exit() ran or the binding was taken up again.
 * @seq: gm_as.bind_seq of the switch that ended it. @queued: the grace
 * period started (gm_as_handover_fn()); its worker frees the record, else
 * whoever takes it off the list does. @told: the policy was told of the
 * binding (init()), so is of its end (exit()).
 */
struct gm_retire {
	struct rcu_work rwork;
	struct list_head node;		/* gm_as.retiring */
	struct gm_as *as;
	struct gm_policy *p;
	u64 seq;
	bool queued;
	bool told;
};

/*
 * Handing a page over (two BPF calls) weighs as much as looking at this
 * many frames in a walk's chunk (GM_FRAMES_CHUNK): a handover holds a
 * device's lock for 64 handovers at most, whatever the device's size.
 */
#define GM_HANDOVER_WEIGHT	16

/*
 * Under dev->lock: hand @frame's page to the policy its address space is
 * bound to now, page_removed() then page_added(). Returns false if it was
 * with that policy already.
 */
static bool gm_frame_handover(struct gm_dev *dev, struct gm_frame *frame)
{
	struct gm_policy *to = gm_as_frame_policy(frame->as, dev);

	if (frame->policy == to)
		return false;
	gm_policy_page_event(frame->policy, GM_HOOK_PAGE_REMOVED, dev, frame);
	frame->policy = to;
	gm_policy_page_event(to, GM_HOOK_PAGE_ADDED, dev, frame);
	return true;
}

/*
 * Under dev->lock, a step of gm_dev_handover()'s walks: hand @frame over
 * if it is @as's. Returns true if the lock was dropped after it.
 */
static bool gm_handover_step(struct gm_dev *dev, struct gm_as *as,
			     struct gm_frame *frame, unsigned int *n)
{
	if (frame->as == as && gm_frame_handover(dev, frame))
		*n += GM_HANDOVER_WEIGHT - 1;
	return gm_frames_lock_break(dev, n, GM_FRAMES_CHUNK);
}

/*
 * Hand the pages @as has on @dev over to its policy: along the LRU, oldest
 * first, so that a policy keeping an order gets the LRU's, then through
 * all frames for those the walk missed (off the LRU: pinned, protected,
 * being migrated or evicted; or moved while the lock was dropped, as a
 * break resumes at the frame it stopped at, and stops if that one left
 * the LRU: freed, it may head a free block, and on another list or a free
 * list the walk would never lead back).
 */
static void gm_dev_handover(struct gm_dev *dev, struct gm_as *as)
{
	struct gm_frame *frame;
	struct list_head *pos;
	unsigned int n = 0;
	unsigned long i, steps = 0;

	spin_lock(&dev->lock);
	/* Frames moved ahead of it in breaks come again: a device's worth. */
	for (pos = dev->lru.prev; pos != &dev->lru && steps++ < dev->nr_pages;
	     pos = pos->prev) {
		frame = list_entry(pos, struct gm_frame, lru);
		if (gm_handover_step(dev, as, frame, &n) &&
		    !gm_frame_on_lru(frame))
			break;
	}
	for (i = 0; i < dev->nr_pages; i++)
		gm_handover_step(dev, as, &dev->frames[i], &n);
	spin_unlock(&dev->lock);
}

/*
 * A switch publishes the new policy at once and leaves the pages to this
 * worker: a swap does not walk the devices. Events for a page not handed
 * over yet still go to the policy that has it (gm_frame.policy). An old
 * binding's exit() is queued after a whole pass that started after its
 * switch, so it comes after page_removed() for every page: no frame gets
 * that policy any more (it would have to be bound again, which takes the
 * record off the list), and the pass handed over every frame that had it.
 * Switches during a pass do not hold back the bindings that ended before.
 */
void gm_as_handover_fn(struct work_struct *work)
{
	struct gm_as *as = container_of(work, struct gm_as, handover_work);
	struct gm_retire *r;
	struct gm_dev *dev;
	u64 seq;

	mutex_lock(&gm_policy_lock);
	seq = as->bind_seq;
	mutex_unlock(&gm_policy_lock);

	mutex_lock(&gm_global_lock);
	list_for_each_entry(dev, &gm_devices, node) {
		if (dev->frames)
			gm_dev_handover(dev, as);
	}
	mutex_unlock(&gm_global_lock);
	/* Faults that began before the switches may still decide with them. */
	synchronize_srcu(&gm_fault_srcu);

	mutex_lock(&gm_policy_lock);
	list_for_each_entry(r, &as->retiring, node) {
		/* A later switch queued another pass for its own. */
		if (!r->queued && r->seq <= seq) {
			r->queued = true;
			queue_rcu_work(system_wq, &r->rwork);
		}
	}
	mutex_unlock(&gm_policy_lock);
	gm_as_put(as);
}

static DECLARE_WAIT_QUEUE_HEAD(gm_retire_done);

/*
 * Take @r off its address space's list: a record whose grace period has
 * not started is freed here, else by its worker. gm_policy_lock held.
 */
static void gm_retire_unlist(struct gm_retire *r)
{
	list_del(&r->node);
	r->p = NULL;
	if (!r->queued)
		kfree(r);
}

/* Run the exit() of a retired binding. gm_policy_lock held. */
static void gm_retire_exit(struct gm_retire *r)
{
	struct gm_policy *p = r->p;

	lockdep_assert_held(&gm_policy_lock);
	if (r->told)
		gm_policy_call_exit(p, r->as);
	p->nr_retiring--;
	gm_retire_unlist(r);
	wake_up_all(&gm_retire_done);
}

static void gm_retire_fn(struct work_struct *work)
{
	struct gm_retire *r = container_of(to_rcu_work(work),
					   struct gm_retire, rwork);

	mutex_lock(&gm_policy_lock);
	if (r->p)
		gm_retire_exit(r);
	mutex_unlock(&gm_policy_lock);
	kfree(r);
}

/*
 * Bind @as to @to. The old binding's exit() runs after its pages were
 * handed over and a grace period, see gm_as_handover_fn(); a binding to
 * @to still waiting for it is taken up again instead of a new init(), so
 * that init() and exit() alternate. gm_policy_lock held.
 */
static void gm_as_bind(struct gm_as *as, struct gm_policy *to)
{
	struct gm_policy *from = rcu_dereference_protected(as->policy,
				lockdep_is_held(&gm_policy_lock));
	struct gm_retire *r, *resumed = NULL;
	bool told;

	lockdep_assert_held(&gm_policy_lock);
	if (from == to)
		return;
	list_for_each_entry(r, &as->retiring, node) {
		if (r->p == to) {
			resumed = r;
			break;
		}
	}
	if (resumed) {
		told = resumed->told;
		to->nr_retiring--;
		gm_retire_unlist(resumed);
	} else {
		/*
		 * A policy ejected since the caller chose it is not told;
		 * nor, then, of the end (exit() pairs with init()).
		 */
		told = gm_policy_call_init(to, as);
	}
	to->nr_as++;
	rcu_assign_pointer(as->policy, to);
	as->bind_seq++;
	swap(told, as->policy_told);
	if (!from)	/* a new address space, with no pages yet */
		return;
	from->nr_as--;
	/* Small and rare (one per switch): no failure path in a swap. */
	r = kzalloc(sizeof(*r), GFP_KERNEL | __GFP_NOFAIL);
	r->as = as;
	r->p = from;
	r->seq = as->bind_seq;
	r->told = told;		/* from's, after the swap */
	from->nr_retiring++;
	list_add_tail(&r->node, &as->retiring);
	INIT_RCU_WORK(&r->rwork, gm_retire_fn);
	/*
	 * The worker holds a reference; an address space already released
	 * gets none: its release hands its pages and runs its exit()s. It
	 * runs long on a full device, so not on a per-CPU pool, where it
	 * would hold up the work queued behind it on that CPU.
	 */
	if (refcount_inc_not_zero(&as->refcount) &&
	    !queue_work(system_unbound_wq, &as->handover_work))
		gm_as_put(as);
}

/*
 * Run now the exit()s @as still owes: it is being released, no hook can
 * run for it any more. gm_policy_lock held.
 */
static void gm_as_retire_now(struct gm_as *as)
{
	struct gm_retire *r, *tmp;

	list_for_each_entry_safe(r, tmp, &as->retiring, node)
		gm_retire_exit(r);
}

struct gm_policy *gm_system_default(void)
{
	return rcu_dereference_protected(gm_system_policy,
					 lockdep_is_held(&gm_policy_lock));
}

/*
 * Make @p the system default, or, with @as, what @as selected (NULL: follow
 * the system default again). gm_policy_lock held.
 */
void gm_policy_select(struct gm_policy *p, struct gm_as *as)
{
	struct gm_as *each;

	lockdep_assert_held(&gm_policy_lock);
	if (as) {
		as->policy_selected = !!p;
		gm_as_bind(as, p ?: gm_system_default());
	} else {
		rcu_assign_pointer(gm_system_policy, p);
		list_for_each_entry(each, &gm_address_spaces, node) {
			if (!each->policy_selected)
				gm_as_bind(each, p);
		}
	}
}

/*
 * Take @p out of use: the system default becomes the built-in one if it
 * was @p, and address spaces that selected @p follow the system default.
 */
static void gm_policy_drop(struct gm_policy *p)
{
	struct gm_as *as;

	lockdep_assert_held(&gm_policy_lock);
	if (gm_system_default() == p)
		rcu_assign_pointer(gm_system_policy, &gm_default_policy);
	list_for_each_entry(as, &gm_address_spaces, node) {
		if (rcu_access_pointer(as->policy) != p)
			continue;
		as->policy_selected = false;
		gm_as_bind(as, gm_system_default());
	}
}

static void gm_policy_fallback(struct work_struct *work)
{
	struct gm_policy *p;

	mutex_lock(&gm_policy_lock);
	list_for_each_entry(p, &gm_policies, node) {
		if (!gm_policy_live(p) &&
		    (p->nr_as || gm_system_default() == p))
			gm_policy_drop(p);
	}
	mutex_unlock(&gm_policy_lock);
}

/* Bind a new address space to the system default. */
void gm_as_policy_init(struct gm_as *as)
{
	as->id = atomic64_inc_return(&gm_as_ids);
	as->pid = task_tgid_nr(current);
	mutex_lock(&gm_policy_lock);
	mutex_lock(&gm_global_lock);
	list_add_tail(&as->node, &gm_address_spaces);
	gm_as_bind(as, gm_system_default());
	mutex_unlock(&gm_global_lock);
	mutex_unlock(&gm_policy_lock);
}

/* Release @as from its policy; its pages left the devices' books. */
void gm_as_policy_exit(struct gm_as *as)
{
	struct gm_policy *p = rcu_dereference_protected(as->policy,
				lockdep_is_held(&gm_policy_lock));

	lockdep_assert_held(&gm_policy_lock);
	gm_as_retire_now(as);
	if (as->policy_told)
		gm_policy_call_exit(p, as);
	p->nr_as--;
}

/* Under gm_policy_lock. */
struct gm_policy *gm_policy_find(const char *name)
{
	struct gm_policy *p;

	list_for_each_entry(p, &gm_policies, node) {
		if (!strcmp(p->name, name))
			return p;
	}
	return NULL;
}

/**
 * gm_policy_name_valid() - whether @name may name a policy
 * @name: NUL-terminated
 *
 * Return: true for 1 to GMEM_POLICY_NAME_MAX - 1 characters of
 * [A-Za-z0-9_-], other than "system", which /proc/PID/gmem_policy uses.
 */
bool gm_policy_name_valid(const char *name)
{
	size_t i, len = strnlen(name, GMEM_POLICY_NAME_MAX);

	if (!len || len == GMEM_POLICY_NAME_MAX || !strcmp(name, "system"))
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum(name[i]) && name[i] != '_' && name[i] != '-')
			return false;
	}
	return true;
}

/**
 * gm_policy_register() - add a policy to the registry
 * @ops: the policy; @ops->name names it. Must stay valid until
 *	gm_policy_unregister(@ops) returns.
 *
 * The policy can then be selected system-wide (/sys/kernel/gmem/policy) or
 * per address space (/proc/PID/gmem_policy); registering selects nothing.
 * Called by the BPF struct_ops registration of a gmem_policy_ops map,
 * which checks the caller's capabilities.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for an invalid name, -EEXIST if it is taken, -ENOMEM.
 */
int gm_policy_register(struct gmem_policy_ops *ops)
{
	struct gm_policy *p;
	int ret;

	if (!gm_policy_name_valid(ops->name))
		return -EINVAL;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->ops = ops;
	strscpy(p->name, ops->name, sizeof(p->name));
	mutex_lock(&gm_policy_lock);
	if (gm_policy_find(p->name)) {
		mutex_unlock(&gm_policy_lock);
		kfree(p);
		return -EEXIST;
	}
	ret = kobject_init_and_add(&p->kobj, &gm_policy_ktype,
				   gm_policies_kobj, "%s", p->name);
	if (ret) {
		mutex_unlock(&gm_policy_lock);
		kobject_put(&p->kobj);
		return ret;
	}
	list_add_tail(&p->node, &gm_policies);
	mutex_unlock(&gm_policy_lock);
	pr_info("policy %s registered\n", p->name);
	return 0;
}

/**
 * gm_policy_unregister() - remove a policy from the registry
 * @ops: as given to gm_policy_register()
 *
 * Address spaces using the policy fall back to the system default (the
 * built-in default if it was this one), each after page_removed() for its
 * pages and exit(). When this returns, no hook of @ops runs any more.
 *
 * Context: process context, may sleep.
 */
void gm_policy_unregister(struct gmem_policy_ops *ops)
{
	struct gm_policy *p, *found = NULL;

	mutex_lock(&gm_policy_lock);
	list_for_each_entry(p, &gm_policies, node) {
		if (p->ops == ops && !p->builtin) {
			found = p;
			break;
		}
	}
	mutex_unlock(&gm_policy_lock);
	if (!found)
		return;
	/*
	 * The name leaves sysfs before it leaves the list: a policy of the
	 * same name registered meanwhile is refused (-EEXIST), not added
	 * beside a directory still there. Only this call removes @found.
	 */
	kobject_del(&found->kobj);
	mutex_lock(&gm_policy_lock);
	gm_policy_drop(found);
	list_del(&found->node);
	mutex_unlock(&gm_policy_lock);
	/*
	 * Its bindings ended above; their exit()s run after a grace period,
	 * which also lets hooks in flight return.
	 */
	wait_event(gm_retire_done, !READ_ONCE(found->nr_retiring));
	pr_info("policy %s unregistered\n", found->name);
	kobject_put(&found->kobj);
}

/*
 * /proc/PID/gmem_policy: "NAME selected", "NAME system" (following the
 * system default), or "none" without a GMEM address space.
 */
int gm_policy_proc_show(struct seq_file *m, struct task_struct *task)
{
	/* What another process runs under is its business, like its maps. */
	struct mm_struct *mm = mm_access(task, PTRACE_MODE_READ_FSCREDS);
	struct gm_as *as;

	if (IS_ERR_OR_NULL(mm))
		return mm ? PTR_ERR(mm) : -ESRCH;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	as = mm->gm_as;
	/* A policy is freed only a grace period after its last user left. */
	rcu_read_lock();
	if (as)
		seq_printf(m, "%s %s\n", rcu_dereference(as->policy)->name,
			   as->policy_selected ? "selected" : "system");
	else
		seq_puts(m, "none\n");
	rcu_read_unlock();
	mmap_read_unlock(mm);
	mmput(mm);
	return 0;
}

/*
 * Write NAME to /proc/PID/gmem_policy: that process's address space uses
 * policy NAME; "system" makes it follow the system default again. Needs
 * CAP_SYS_ADMIN and ptrace access (PTRACE_MODE_ATTACH_REALCREDS) to it.
 */
int gm_policy_proc_select(struct task_struct *task, const char *name)
{
	struct gm_policy *p = NULL;
	struct mm_struct *mm;
	struct gm_as *as;
	int ret = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mm = mm_access(task, PTRACE_MODE_ATTACH_REALCREDS);
	if (IS_ERR_OR_NULL(mm))
		return mm ? PTR_ERR(mm) : -ESRCH;
	mmap_read_lock(mm);
	as = mm->gm_as;
	if (as && !refcount_inc_not_zero(&as->refcount))
		as = NULL;
	mmap_read_unlock(mm);
	if (!as) {
		mmput(mm);
		return -ENODEV;
	}
	mutex_lock(&gm_policy_lock);
	if (strcmp(name, "system")) {
		p = gm_policy_find(name);
		if (!p)
			ret = -ENOENT;
		else if (!gm_policy_live(p))
			ret = -ESTALE;
	}
	if (!ret)
		gm_policy_select(p, as);
	mutex_unlock(&gm_policy_lock);
	gm_as_put(as);
	mmput(mm);
	return ret;
}

/* The built-in default policy: registered at boot, never unregistered. */
int __init gm_policy_layer_init(void)
{
	int ret;

	gm_policies_kobj = kobject_create_and_add("policies", gm_sysfs_root);
	if (!gm_policies_kobj)
		return -ENOMEM;
	ret = kobject_init_and_add(&gm_default_policy.kobj, &gm_policy_ktype,
				   gm_policies_kobj, "default");
	if (ret)
		return ret;
	list_add(&gm_default_policy.node, &gm_policies);
	RCU_INIT_POINTER(gm_system_policy, &gm_default_policy);
	return sysfs_create_group(gm_sysfs_root, &gm_root_group);
}
