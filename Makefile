# GMEM-BPF top-level Makefile. Everything generated lands in build/.
#
#   make deps       install the Debian packages (idempotent)
#   make kernel     patched Linux 6.1 (incremental; see scripts/build-kernel.sh)
#   make selftests  test binaries run inside the guest
#   make check      all of the above, then every suite in QEMU
#   make demo       boot the guest and show what it offers
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

.PHONY: all deps kernel selftests check demo clean FORCE

all: kernel selftests

deps:
	$(Q)scripts/install-deps.sh

kernel: $(KSTAMP)

# The script decides whether anything changed (patches, fragment, source
# package), so it always runs; it takes a second when nothing did and then
# leaves the stamp's mtime alone, so nothing downstream rebuilds.
$(KSTAMP): FORCE | deps
	$(Q)scripts/build-kernel.sh

# --- selftests -------------------------------------------------------------

HMM_TESTS := $(BUILD)/selftests/hmm-tests

selftests: $(HMM_TESTS)

# The kernel's own HMM selftests, built from the patched tree as the
# kernel's tools/testing/selftests/vm/Makefile would.
$(HMM_TESTS): $(KSTAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -Wall -O2 -I $(KSRC) -isystem $(BUILD)/headers/include \
		$(KSRC)/tools/testing/selftests/vm/hmm-tests.c -lrt -lpthread -o $@

check: all
	$(Q)scripts/check.sh $(SUITES)

demo: kernel
	$(Q)./vmtest.sh -t 600 -- scripts/demo.sh

clean:
	rm -rf $(BUILD)
