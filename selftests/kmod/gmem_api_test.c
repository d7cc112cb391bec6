// SPDX-License-Identifier: GPL-2.0
/*
 * gm_dev_create() refuses operations a device cannot work with. Loading
 * this module runs the checks; it loads (and prints "all passed") only if
 * each one got the answer it should, so `insmod` is the test
 * (selftests/smoke.bats).
 */
#include <linux/err.h>
#include <linux/gmem.h>
#include <linux/module.h>

static int nop_map(struct gm_context *ctx, unsigned long va,
		   struct page *page, unsigned int prot)
{
	return 0;
}

static void nop_range(struct gm_context *ctx, unsigned long start,
		      unsigned long end)
{
}

static void nop_protect(struct gm_context *ctx, unsigned long start,
			unsigned long end, unsigned int prot)
{
}

static const struct {
	const char *what;
	struct gm_mmu mmu;
	bool valid;
} checks[] = {
	{ "pmap_enter, pmap_release and tlb_invl",
	  { .pmap_enter = nop_map, .pmap_release = nop_range,
	    .tlb_invl = nop_range }, true },
	{ "peer_map and peer_unmap only",
	  { .peer_map = nop_map, .peer_unmap = nop_range }, true },
	{ "nothing to map with",
	  { .pmap_release = nop_range, .tlb_invl = nop_range }, false },
	{ "nothing to unmap with",
	  { .pmap_enter = nop_map, .tlb_invl = nop_range }, false },
	{ "pmap_release without tlb_invl",
	  { .pmap_enter = nop_map, .pmap_release = nop_range }, false },
	{ "peer_unmap and pmap_release without tlb_invl",
	  { .pmap_enter = nop_map, .peer_unmap = nop_range,
	    .pmap_release = nop_range }, false },
	{ "pmap_protect without tlb_invl",
	  { .peer_map = nop_map, .peer_unmap = nop_range,
	    .pmap_protect = nop_protect }, false },
};

static int __init gmem_api_test_init(void)
{
	unsigned int i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(checks); i++) {
		struct gm_dev *dev = gm_dev_create("gmem_api_test",
						   &checks[i].mmu, NULL);
		bool accepted = !IS_ERR(dev);

		if (accepted)
			gm_dev_destroy(dev);
		else if (PTR_ERR(dev) != -EINVAL)
			accepted = true;	/* counts as wrong below */
		if (accepted != checks[i].valid) {
			const char *want = checks[i].valid ? "accepted" : "EINVAL";

			pr_err("gmem_api_test: %s: got %d, want %s\n",
			       checks[i].what, PTR_ERR_OR_ZERO(dev), want);
			failed++;
		}
	}
	if (failed)
		return -EINVAL;
	pr_info("gmem_api_test: all %zu checks passed\n", ARRAY_SIZE(checks));
	return 0;
}

static void __exit gmem_api_test_exit(void)
{
}

module_init(gmem_api_test_init);
module_exit(gmem_api_test_exit);
MODULE_DESCRIPTION("Checks of the GMEM driver API's argument validation");
MODULE_LICENSE("GPL");
