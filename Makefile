# GMEM-BPF top-level Makefile. Everything generated lands in build/.
#
#   make deps       install the Debian packages (idempotent)
#   make kernel     patched Linux 6.1 (incremental; see scripts/build-kernel.sh)
#   make bpf-tools  libbpf 1.5 and bpftool 7.5 from linux-source-6.12's tools/
#                   (scripts/build-bpf-tools.sh): build/libbpf, build/bin/bpftool
#   make driver     driver/gmem_sim.ko, the simulated accelerator
#   make bpf        BPF objects and skeletons (bpf/*.bpf.c, docs/*.bpf.c)
#   make loader     build/bin/gmemctl
#   make tools      build/bin/gmem-run, gmem-hold: workloads (tools/)
#   make selftests  test binaries run inside the guest
#   make test-host  unit tests on the host, no VM (tests/host/), seconds
#   make check      all of the above, then every suite in QEMU
#                   (DEBUG=1: on the debug kernel, make debug-kernel)
#   make demo       boot the guest and run the GMEM demo (README)
#   make bench      the benchmark suite in one guest (bench/README.md):
#                   build/bench/results.{json,md} and plots; bench-quick:
#                   every path in a few minutes
#   make series     the kernel side as an upstream-style patch series with
#                   a cover letter, build/series/ (scripts/make-series.sh)
#
# V=1 shows full commands.

.DELETE_ON_ERROR:
.SUFFIXES:

BUILD := build
KSRC  := $(BUILD)/linux
KOBJ  := $(BUILD)/kbuild
KSTAMP := $(BUILD)/kernel.stamp

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all deps kernel bpf-tools debug-kernel driver bpf loader tools selftests check \
	checkpatch demo clean FORCE bench bench-quick bench-build series test-host

all: kernel bpf-tools driver bpf loader tools selftests bench-build

deps:
	$(Q)scripts/install-deps.sh

kernel: $(KSTAMP)

# The script decides whether anything changed (patches, fragment, source
# package), so it always runs; it takes a second when nothing did and then
# leaves the stamp's mtime alone, so nothing downstream rebuilds.
$(KSTAMP): FORCE | deps
	$(Q)scripts/build-kernel.sh

# libbpf and bpftool, newer than Debian 12's (the script says why); every
# BPF object and every program linking libbpf uses these, never the host's.
BPF_TOOLS_STAMP := $(BUILD)/bpf-tools.stamp
BPFTOOL := $(BUILD)/bin/bpftool
LIBBPF := $(BUILD)/libbpf/libbpf.a
LIBBPF_LIBS := $(LIBBPF) -lelf -lz

bpf-tools: $(BPF_TOOLS_STAMP)

# Like the kernel's stamp: the script decides, and leaves the stamp alone
# when nothing changed.
$(BPF_TOOLS_STAMP): FORCE | deps
	$(Q)scripts/build-bpf-tools.sh

# --- driver ----------------------------------------------------------------

# Kbuild writes objects next to the sources, so the module is built from a
# copy under build/.
DRIVER_SRCS := $(wildcard driver/*.c driver/*.h) driver/Kbuild
DRIVER_KO := $(BUILD)/driver/gmem_sim.ko

driver: $(DRIVER_KO)

$(DRIVER_KO): $(DRIVER_SRCS) $(KSTAMP)
	@mkdir -p $(@D)
	$(Q)cp $(DRIVER_SRCS) $(@D)/
	$(Q)$(MAKE) -s -C $(KOBJ) ARCH=x86_64 M=$(abspath $(@D)) modules

# A test module of the driver API's argument checks (selftests/kmod/), built
# like the driver, for the normal and the debug kernel.
KMOD_SRCS := selftests/kmod/gmem_api_test.c selftests/kmod/Kbuild
KMOD_KO := $(BUILD)/selftests/kmod/gmem_api_test.ko
DEBUG_KMOD_KO := $(BUILD)/selftests/kmod-debug/gmem_api_test.ko

$(KMOD_KO): $(KMOD_SRCS) $(KSTAMP)
	@mkdir -p $(@D)
	$(Q)cp $(KMOD_SRCS) $(@D)/
	$(Q)$(MAKE) -s -C $(KOBJ) ARCH=x86_64 M=$(abspath $(@D)) modules

# --- BPF and the loader ----------------------------------------------------

# BPF programs see the types of the kernel we built, not the host's.
BPF_CLANG := clang-16
# Every BPF object: policies (bpf/), the documented example (docs/) and the
# objects tests load (selftests/bpf/, bad ones too) build alike.
BPF_CC = $(Q)$(BPF_CLANG) -g -O2 -Wall -Werror -target bpf \
	-D__TARGET_ARCH_x86 -I $(BUILD)/bpf -I bpf -I $(BUILD)/libbpf/include \
	-c $< -o $@
VMLINUX_H := $(BUILD)/bpf/vmlinux.h
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(wildcard bpf/*.bpf.c))
# Policies shown in docs/ (docs/writing-a-policy.md), built like bpf/'s.
DOC_BPF_OBJS := $(patsubst docs/%.bpf.c,$(BUILD)/docs/%.bpf.o,$(wildcard docs/*.bpf.c))
GMEMCTL := $(BUILD)/bin/gmemctl

bpf: $(BPF_OBJS) $(DOC_BPF_OBJS)

$(VMLINUX_H): $(KSTAMP) $(BPF_TOOLS_STAMP)
	@mkdir -p $(@D)
	@echo "  BTF     $@"
	$(Q)$(BPFTOOL) btf dump file $(KOBJ)/vmlinux format c > $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h bpf/lib/*.h) $(VMLINUX_H)
	@echo "  BPF     $@"
	$(BPF_CC)

$(BUILD)/docs/%.bpf.o: docs/%.bpf.c $(wildcard bpf/*.h bpf/lib/*.h) $(VMLINUX_H)
	@mkdir -p $(@D)
	@echo "  BPF     $@"
	$(BPF_CC)

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# --- the userspace library (lib/) --------------------------------------------

# sysfs and the policy registry, the timed policy write, struct_ops
# registration, JSON output: one archive for gmemctl, the tools, the
# selftests and the benchmark (lib/gmem_sim.h, for gmem_sim, is a header).
# A program links only the members it uses, so those without libbpf need
# no -lbpf.
LIBGMEM := $(BUILD)/lib/libgmem.a
LIBGMEM_OBJS := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(wildcard lib/*.c))
LIBGMEM_HDRS := $(wildcard lib/*.h)

$(BUILD)/lib/%.o: lib/%.c $(LIBGMEM_HDRS) $(KSTAMP) $(BPF_TOOLS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(LIBGMEM): $(LIBGMEM_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

loader: $(GMEMCTL)

# One file per command (loader/gmemctl.h says which).
GMEMCTL_SRCS := $(wildcard loader/*.c)

$(GMEMCTL): $(GMEMCTL_SRCS) $(wildcard loader/*.h) bpf/gmem_trace.h \
		$(BUILD)/bpf/gmem_trace.skel.h $(LIBGMEM) $(LIBGMEM_HDRS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -I $(BUILD)/bpf -I bpf -I lib $(GMEMCTL_SRCS) \
		$(LIBGMEM) $(LIBBPF_LIBS) -o $@

# --- tools: workloads for the demo, the docs and the tests -------------------

TOOLS := $(addprefix $(BUILD)/bin/,gmem-run gmem-hold)

tools: $(TOOLS)

$(TOOLS): $(BUILD)/bin/%: tools/%.c driver/gmem_sim_uapi.h \
		include/gmem/hmadvise.h $(LIBGMEM) $(LIBGMEM_HDRS) $(KSTAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -I driver -I include -I lib $< $(LIBGMEM) -o $@

# --- selftests -------------------------------------------------------------

HMM_TESTS := $(BUILD)/selftests/hmm-tests
GMEM_TESTS := $(addprefix $(BUILD)/selftests/,gmem-tests gmem-evict-tests \
	hmadvise-tests gmem-hints gmem-fuzz gmem-cycle gmem-race gmem-security \
	gmem-unplug placement-tests)
USER_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -isystem $(BUILD)/headers/include \
	-I $(BUILD)/libbpf/include

# BPF objects the tests load (bad ones too), built like bpf/'s policies.
SELFTEST_BPF_OBJS := $(patsubst selftests/bpf/%.bpf.c,$(BUILD)/selftests/bpf/%.bpf.o,\
	$(wildcard selftests/bpf/*.bpf.c))

selftests: $(HMM_TESTS) $(GMEM_TESTS) $(SELFTEST_BPF_OBJS) $(KMOD_KO)

$(BUILD)/selftests/bpf/%.bpf.o: selftests/bpf/%.bpf.c $(wildcard bpf/*.h) \
		$(VMLINUX_H)
	@mkdir -p $(@D)
	@echo "  BPF     $@"
	$(BPF_CC)

# kselftest harness from the kernel tree, our UAPI from build/headers. The
# harness's EXPECT_EQ() compares whatever types it is given, so
# -Wsign-compare would flag every EXPECT_EQ(u64, 0).
$(GMEM_TESTS): $(BUILD)/selftests/%: selftests/%.c selftests/gmem_test_lib.h \
		driver/gmem_sim_uapi.h include/gmem/hmadvise.h $(LIBGMEM) \
		$(LIBGMEM_HDRS) $(KSTAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -Wno-sign-compare \
		-I $(KSRC)/tools/testing/selftests -I driver -I include -I lib \
		$< $(LIBGMEM) -lpthread $(GMEM_TEST_LIBS) -o $@

# gmem-cycle registers policies itself, through libbpf.
$(BUILD)/selftests/gmem-cycle: GMEM_TEST_LIBS := $(LIBBPF_LIBS)

# The kernel's own HMM selftests, built from the patched tree as the
# kernel's tools/testing/selftests/vm/Makefile would.
$(HMM_TESTS): $(KSTAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -Wall -O2 -I $(KSRC) -isystem $(BUILD)/headers/include \
		$(KSRC)/tools/testing/selftests/vm/hmm-tests.c -lrt -lpthread -o $@

# DEBUG=1: the same suites on the debug kernel (kernel-patches/debug.config:
# KASAN, KFENCE, lockdep, kmemleak, fault injection), built alongside.
DEBUG_KOBJ := $(BUILD)/kbuild-debug
DEBUG_KSTAMP := $(BUILD)/kernel-debug.stamp
DEBUG_DRIVER_KO := $(BUILD)/driver-debug/gmem_sim.ko

debug-kernel: $(DEBUG_KSTAMP)

$(DEBUG_KSTAMP): FORCE | deps
	$(Q)scripts/build-kernel.sh --debug

$(DEBUG_DRIVER_KO): $(DRIVER_SRCS) $(DEBUG_KSTAMP)
	@mkdir -p $(@D)
	$(Q)cp $(DRIVER_SRCS) $(@D)/
	$(Q)$(MAKE) -s -C $(DEBUG_KOBJ) ARCH=x86_64 M=$(abspath $(@D)) modules

$(DEBUG_KMOD_KO): $(KMOD_SRCS) $(DEBUG_KSTAMP)
	@mkdir -p $(@D)
	$(Q)cp $(KMOD_SRCS) $(@D)/
	$(Q)$(MAKE) -s -C $(DEBUG_KOBJ) ARCH=x86_64 M=$(abspath $(@D)) modules

# --- host unit tests (tests/host/): bench/lib, gmemctl's args, bpf/lib's
# stride prefetcher and evictors, no VM ------------------------------------------

# bench/lib: what runs without the device or libbpf (the host tests link it).
BENCH_LIB_SRCS := $(wildcard bench/lib/*.c)
BENCH_LIB_HDRS := $(wildcard bench/lib/*.h)
HOST_TEST := $(BUILD)/tests/host/test-host
HOST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror

# gmemctl's command lines (loader/args.c) link without libbpf: tested too.
HOST_ARGS_SRCS := loader/args.c lib/gmem_sysfs.c

# tests/host/shim/ stands in for vmlinux.h and libbpf, so that bpf/lib/
# algorithms compile on the host too (test_stride.c, test_evictors.c).
$(HOST_TEST): $(wildcard tests/host/*.c tests/host/*.h) $(BENCH_LIB_SRCS) \
		$(BENCH_LIB_HDRS) lib/gmem_util.h $(HOST_ARGS_SRCS) loader/args.h \
		lib/gmem_sysfs.h kernel-patches/tree/include/uapi/linux/gmem.h \
		$(wildcard tests/host/shim/*.h tests/host/shim/bpf/*.h) \
		bpf/gmem_policy.h $(wildcard bpf/lib/*.h)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(HOST_CFLAGS) -I bench/lib -I loader -I lib -I tests/host/shim \
		-I bpf -isystem kernel-patches/tree/include/uapi $(filter %.c,$^) \
		-lz -lm -o $@

test-host: $(HOST_TEST)
	$(Q)$(HOST_TEST)

# check.sh runs the host tests first (suite "host"), unless CHECK_HOST=0:
# the debug kernel's run leaves them to the normal one.
ifeq ($(DEBUG),1)
check: all $(DEBUG_DRIVER_KO) $(DEBUG_KMOD_KO)
	$(Q)CHECK_HOST=0 GMEM_KERNEL=$(DEBUG_KOBJ)/arch/x86/boot/bzImage scripts/check.sh $(SUITES)
else
check: all $(HOST_TEST)
	$(Q)scripts/check.sh $(SUITES)
endif

# --- benchmarks (bench/README.md) -------------------------------------------

BENCH_DIR := $(BUILD)/bench
GMEM_BENCH := $(BENCH_DIR)/bin/gmem-bench
BENCH_SRCS := $(wildcard bench/*.c) $(BENCH_LIB_SRCS)
# Prefetch x eviction policies: one object per pair, from bench/bpf/combo.bpf.c.
BENCH_COMBOS := $(foreach p,seq stride tree,$(foreach e,lru fifo lfu clock mru,\
	$(BENCH_DIR)/bpf/$(p)_$(e).bpf.o))
BENCH_CLOCK_KO := $(BENCH_DIR)/clock/bench_clock.ko
bench_uc = $(shell echo $(1) | tr a-z A-Z)

bench-build: $(GMEM_BENCH) $(BENCH_COMBOS) $(BENCH_CLOCK_KO)

$(BENCH_COMBOS): $(BENCH_DIR)/bpf/%.bpf.o: bench/bpf/combo.bpf.c \
		$(wildcard bpf/*.h bpf/lib/*.h) $(VMLINUX_H)
	@mkdir -p $(@D)
	@echo "  BPF     $@"
	$(BPF_CC) -DCOMBO=$* -DPF_$(call bench_uc,$(word 1,$(subst _, ,$*))) \
		-DEV_$(call bench_uc,$(word 2,$(subst _, ,$*)))

# gmem-bench's own probes, each with a header it shares with user space.
BENCH_PROBES := $(BENCH_DIR)/bpf/bench_trace.bpf.o $(BENCH_DIR)/bpf/stage_prof.bpf.o

$(BENCH_PROBES): $(BENCH_DIR)/bpf/%.bpf.o: bench/bpf/%.bpf.c bench/%.h $(VMLINUX_H)
	@mkdir -p $(@D)
	@echo "  BPF     $@"
	$(BPF_CC) -I bench

$(BENCH_PROBES:.bpf.o=.skel.h): %.skel.h: %.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@

$(GMEM_BENCH): $(BENCH_SRCS) bench/bench.h $(BENCH_LIB_HDRS) bench/bench_trace.h \
		$(BENCH_DIR)/bpf/bench_trace.skel.h bench/stage_prof.h \
		$(BENCH_DIR)/bpf/stage_prof.skel.h driver/gmem_sim_uapi.h \
		$(LIBGMEM) $(LIBGMEM_HDRS) include/gmem/hmadvise.h $(KSTAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -I bench -I $(BENCH_DIR)/bpf -I driver \
		-I include -I lib -I $(KSRC)/lib $(BENCH_SRCS) \
		$(LIBGMEM) $(LIBBPF_LIBS) -lm -lpthread -o $@

# A TSC clocksource for the guest, whose TCG clock ticks in 4 ms steps.
$(BENCH_CLOCK_KO): bench/clock/bench_clock.c bench/clock/Kbuild $(KSTAMP)
	@mkdir -p $(@D)
	$(Q)cp bench/clock/bench_clock.c bench/clock/Kbuild $(@D)/
	$(Q)$(MAKE) -s -C $(KOBJ) ARCH=x86_64 M=$(abspath $(@D)) modules

bench: all
	$(Q)bench/run.sh

bench-quick: all
	$(Q)bench/run.sh --quick

# Kernel style: every patch of the series, every file of kernel-patches/tree
# (the new kernel files, with -f) and the driver. Run from the kernel tree,
# which has no .git: checkpatch would otherwise take this repository's
# history for the kernel's. TRACE_EVENT()'s layout, which every header in
# include/trace/events/ shares, fails the open-parenthesis alignment check:
# ignored for such headers, and patches adding one, only.
KTREE_FILES = $(shell cd kernel-patches/tree && find . -type f | LC_ALL=C sort | sed 's|^\./||')

checkpatch: kernel
	$(Q)cd $(KSRC) && set -e && for p in $$(sed -e 's/#.*//' $(CURDIR)/kernel-patches/series); do \
		echo "== $$p"; \
		ignore=; \
		grep -q '^+++ b/include/trace/events/' $(CURDIR)/kernel-patches/$$p && \
			ignore="--ignore PARENTHESIS_ALIGNMENT"; \
		scripts/checkpatch.pl --strict -q $$ignore - < $(CURDIR)/kernel-patches/$$p; \
	done; \
	for f in $(KTREE_FILES); do \
		echo "== kernel-patches/tree/$$f"; \
		ignore=; \
		case $$f in include/trace/events/*) \
			ignore="--ignore PARENTHESIS_ALIGNMENT";; esac; \
		scripts/checkpatch.pl --strict -q $$ignore -f $$f; \
	done; \
	for f in driver/gmem_sim.c bench/clock/bench_clock.c selftests/kmod/gmem_api_test.c; do \
		echo "== $$f"; \
		scripts/checkpatch.pl --strict -q --no-tree -f $(CURDIR)/$$f; \
	done

# kernel-patches/tree (one commit per record of kernel-patches/tree-commits)
# and kernel-patches/series as [RFC PATCH n/N] mails, with the cover letter
# of kernel-patches/cover-letter.txt; replaces build/series/ as a whole.
series:
	$(Q)scripts/make-series.sh

demo: all
	$(Q)./vmtest.sh -t 600 -- scripts/demo.sh

clean:
	rm -rf $(BUILD)
