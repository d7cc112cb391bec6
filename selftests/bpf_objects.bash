# Helpers shared by the bats suites that check no BPF object is left behind
# (sourced by lifecycle.bats and policy.bats).

# Every BPF map and program now, one "map|prog ID TYPE NAME" a line.
bpf_objects() {
	bpftool -j map show | jq -r '.[] | "map \(.id) \(.type) \(.name // "")"'
	bpftool -j prog show | jq -r '.[] | "prog \(.id) \(.type) \(.name // "")"'
}

# Wait (5 s at most: a killed process's maps and programs are freed
# asynchronously) until no BPF map or program is left that $1, an earlier
# bpf_objects, does not list; IDs are never reused, so a leftover of a
# killed loader shows. Prints what is left on failure.
nothing_new_since() {
	local _ new
	for _ in $(seq 50); do
		new=$(comm -13 <(sort <<<"$1") <(bpf_objects | sort))
		[ -n "$new" ] || return 0
		sleep 0.1
	done
	echo "left behind:"
	echo "$new"
	return 1
}
