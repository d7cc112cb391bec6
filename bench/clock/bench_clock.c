// SPDX-License-Identifier: GPL-2.0
/*
 * bench_clock: a TSC clocksource for the benchmark guest.
 *
 * Under QEMU TCG the guest kernel cannot calibrate the TSC (no PIT, HPET or
 * ACPI PM timer reference in the tinyconfig guest), marks it unstable and
 * keeps time with refined-jiffies: ktime_get_ns() and clock_gettime()
 * advance in 4 ms steps (HZ=250), far too coarse for per-fault latencies
 * (gmem:gmem_fault's latency_ns) and short wall times. TCG's RDTSC reads the
 * host's invariant TSC, so this module registers it as a continuous
 * clocksource (bench/guest.sh then selects it). Its frequency: khz= (the
 * benchmark measures the host's TSC against CLOCK_MONOTONIC and passes it),
 * else the kernel's own boot calibration when it succeeded, else a
 * calibration against jiffies, which lag when the host is busy. The
 * clocksource watchdog does not check it (no CLOCK_SOURCE_MUST_VERIFY):
 * under TCG the watchdog's refined-jiffies reference is what is wrong.
 * Unloading the module switches back. Only the benchmark loads it.
 */
#define pr_fmt(fmt) "bench_clock: " fmt

#include <linux/clocksource.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/tsc.h>

static unsigned int khz;
module_param(khz, uint, 0444);
MODULE_PARM_DESC(khz, "TSC frequency in kHz (default: the kernel's tsc_khz, else calibrate against jiffies for calib_ms)");

static unsigned int calib_ms = 1000;
module_param(calib_ms, uint, 0444);
MODULE_PARM_DESC(calib_ms, "Calibration time in ms (default 1000)");

static u64 bench_clock_read(struct clocksource *cs)
{
	return rdtsc_ordered();
}

static struct clocksource bench_clock = {
	.name = "bench_tsc",
	.rating = 250,
	.read = bench_clock_read,
	.mask = CLOCKSOURCE_MASK(64),
	.flags = CLOCK_SOURCE_IS_CONTINUOUS,
};

/* TSC ticks over calib_ms of jiffies, started on a jiffies edge. */
static unsigned int bench_clock_calibrate(void)
{
	unsigned long j, ticks = msecs_to_jiffies(calib_ms);
	u64 t0, t1;

	j = jiffies;
	while (time_before_eq(jiffies, j))
		cpu_relax();
	j = jiffies;
	t0 = rdtsc_ordered();
	while (time_before(jiffies, j + ticks))
		cpu_relax();
	t1 = rdtsc_ordered();
	return div_u64(t1 - t0, jiffies_to_msecs(ticks));
}

static int __init bench_clock_init(void)
{
	if (!boot_cpu_has(X86_FEATURE_TSC))
		return -ENODEV;
	if (!khz)
		khz = tsc_khz;
	if (!khz)
		khz = bench_clock_calibrate();
	if (!khz)
		return -EINVAL;
	pr_info("TSC at %u kHz\n", khz);
	return clocksource_register_khz(&bench_clock, khz);
}

static void __exit bench_clock_exit(void)
{
	clocksource_unregister(&bench_clock);
}

module_init(bench_clock_init);
module_exit(bench_clock_exit);
MODULE_DESCRIPTION("TSC clocksource for gmem-bench under QEMU TCG");
MODULE_LICENSE("GPL");
