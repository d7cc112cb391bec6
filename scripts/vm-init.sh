#!/bin/bash
# PID 1 of the vmtest.sh guest. The root file system is the host's, read-only
# over 9p; the kernel command line carries vmtest_repo (this repository, shared
# read-write under tag "repo") and vmtest_run (the run directory inside it).
# Runs $vmtest_run/cmd if it exists, else an interactive shell, records the
# exit status and the kernel log in the run directory, then reboots, which
# QEMU (-no-reboot) turns into an exit.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-linux} LANG=C.UTF-8

# The 9p root shows the host's own mounts (/proc, /sys, ...) as plain
# directories, so everything is mounted over them unconditionally.
fs() { # fs TYPE SOURCE TARGET [OPTIONS]
	mkdir -p "$3" 2>/dev/null
	mount -t "$1" ${4:+-o "$4"} "$2" "$3" || echo "vm-init: cannot mount $1 on $3" >&2
}

fs proc proc /proc
fs sysfs sysfs /sys
# CONFIG_DEVTMPFS_MOUNT mounted /dev already.
grep -q '^devtmpfs /dev ' /proc/mounts || fs devtmpfs devtmpfs /dev
fs tmpfs tmpfs /tmp mode=1777
fs tmpfs tmpfs /run mode=0755
fs devpts devpts /dev/pts
fs debugfs debugfs /sys/kernel/debug
fs tracefs tracefs /sys/kernel/tracing
fs bpf bpf /sys/fs/bpf
fs cgroup2 cgroup2 /sys/fs/cgroup
# bats and bash process substitution need these.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr

# The repository, read-write, at the path it has on the host (which may be
# under /tmp, now hidden by the fresh tmpfs).
fs 9p repo "$vmtest_repo" trans=virtio,version=9p2000.L,msize=262144
# Our kernel's modules live in build/modroot (the host has no
# /lib/modules/*-gmem and the root is read-only): guest-bin/modprobe points
# kmod there.
export PATH=$vmtest_repo/scripts/guest-bin:$PATH
# bpftool 7.5 (make bpf-tools), not the host's 7.1.
export PATH=$vmtest_repo/build/bin:$PATH
hostname gmem-vm

# The debug kernel (make check DEBUG=1) has its own modules and gmem_sim
# build: put them where the tests look, for this guest only.
case $(uname -r) in
*-gmem-debug)
	mount --bind "$vmtest_repo/build/modroot-debug" "$vmtest_repo/build/modroot"
	mount --bind "$vmtest_repo/build/driver-debug" "$vmtest_repo/build/driver"
	;;
esac

cd "$vmtest_repo" || exit 1
# Concurrency tests mean nothing on fewer CPUs than asked for (vmtest.sh -s).
if [ -n "${vmtest_cpus:-}" ] && [ "$(nproc)" != "$vmtest_cpus" ]; then
	echo "none: vmtest.sh asked for $vmtest_cpus CPUs, the guest brought up $(nproc)" > "$vmtest_run/status"
	echo "vm-init: error: $vmtest_cpus CPUs asked for, $(nproc) brought up" >&2
	dmesg > "$vmtest_run/dmesg.txt"
	sync
	echo b > /proc/sysrq-trigger
fi
if [ -f "$vmtest_run/cmd" ]; then
	setsid -c bash "$vmtest_run/cmd" </dev/ttyS0 >/dev/ttyS0 2>&1
	echo $? > "$vmtest_run/status"
else
	echo "vm-init: interactive shell on $(uname -r); 'exit' powers off"
	setsid -c bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
	echo 0 > "$vmtest_run/status"
fi
dmesg > "$vmtest_run/dmesg.txt"
sync
echo b > /proc/sysrq-trigger
