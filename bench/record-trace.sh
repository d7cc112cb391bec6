#!/usr/bin/env bash
# Record a program's page reference string for gmem-bench's trace replay:
# valgrind's lackey tool logs every data access, gmem-bench convert-lackey
# keeps each access's page number (dropping repeats of the page just
# accessed, which are hits under every policy), gzip -9 stores it.
#
#   bench/record-trace.sh OUT.vpn.gz PROGRAM [ARGS...]
#   bench/record-trace.sh             (re-records bench/traces/hashjoin.vpn.gz)
#   bench/record-trace.sh --corpus   (re-records every trace of bench/traces/:
#                                     hashjoin and five Debian programs on
#                                     inputs generated here, see corpus below)
#
# Needs valgrind (Debian package valgrind) and build/bench/bin/gmem-bench
# (make bench-build); --corpus also xz-utils, sqlite3, perl, coreutils, bc.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=build/bench/bin/gmem-bench
[ -x "$bench" ] || { echo "record-trace: $bench missing (make bench-build)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "record-trace: valgrind missing (apt-get install valgrind)" >&2; exit 1; }

# OUT PROGRAM [ARGS...]: the trace of one run of PROGRAM (stdout discarded,
# stdin the caller's), valgrind started through the command in wrap.
wrap=()
record() {
	local out=$1
	shift
	"${wrap[@]}" valgrind --tool=lackey --trace-mem=yes --log-file=/dev/stderr "$@" 2>&1 >/dev/null |
		"$bench" convert-lackey | gzip -9 -n > "$out"
	echo "record-trace: $out: $(zcat "$out" | wc -l) references, $(zcat "$out" | sort -u | wc -l) distinct pages, $(stat -c %s "$out") bytes"
}

# The recordings of --corpus and of hashjoin run so that a second recording
# gives the same file:
#  - env -i: the same environment (its strings sit on the stack, so they
#    move every stack address), perl's hash seed fixed;
#  - setarch -R: no address space randomisation;
#  - GLIBC_TUNABLES: memcpy copies with vector loads and stores, not with
#    `rep movsb`, which valgrind runs a byte at a time, so that one copy of
#    8 KiB would be 16,384 references alternating between two pages
#    (hardware streams it; vector loops give two references per 32 bytes).
# Sizes: 350k-600k references, a few hundred to a few thousand pages, so
# that the guest's replays (10 policies x 2 capacities, TCG) stay short.
in=build/bench/corpus
repro_wrap=(env -i PATH=/usr/bin:/bin LC_ALL=C PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0
	GLIBC_TUNABLES=glibc.cpu.x86_rep_movsb_threshold=0xffffffffffff
	setarch "$(uname -m)" -R)
hashjoin() {
	mkdir -p build/bench
	gcc -O2 -o build/bench/hashjoin bench/traces/hashjoin.c
	wrap=("${repro_wrap[@]}")
	record bench/traces/hashjoin.vpn.gz build/bench/hashjoin
	wrap=()
}

need() {	# PROGRAM DEBIAN-PACKAGE
	command -v "$1" >/dev/null ||
		{ echo "record-trace: $1 missing (apt-get install $2)" >&2; exit 1; }
}

# The corpus: five programs Debian ships, one of each kind, each on an input
# that perl generates here from a fixed seed (perl >= 5.20 has its own
# drand48, the same everywhere).
corpus() {
	need xz xz-utils; need sqlite3 sqlite3; need perl perl-base
	need tsort coreutils; need bc bc
	mkdir -p "$in"
	wrap=("${repro_wrap[@]}")

	# Compression: xz -3 (LZMA2, hc4 match finder, 4 MiB dictionary) on 3 KB
	# of text of a 2,000-word vocabulary with skewed word frequencies. The
	# match finder's hash tables are what make its pages: a compressor's
	# working set is its tables more than its input.
	perl -e 'srand(1); my @v = map { join "", map { chr(97 + int(rand(26))) } 1 .. 2 + int(rand(8)) } 1 .. 2000;
		my $t = ""; while (length($t) < 3000) { my $r = rand(); $t .= $v[int(2000 * $r ** 3)] . (rand() < 0.1 ? "\n" : " ") }
		print substr($t, 0, 3000)' > "$in/text"
	record bench/traces/xz.vpn.gz /usr/bin/xz -3 -c "$in/text"

	# Database: sqlite3 joins 100 orders (3-4 KB rows) to their customers
	# (400 customers, 1.5-2 KB rows, random) and aggregates per region; the
	# database is memory-mapped, so each of its pages the query reads is a
	# page of the trace. About 370k of the references are the shell
	# starting (dynamic linking of libsqlite3, readline, ... with BIND_NOW).
	rm -f "$in/shop.db"
	perl -e 'srand(1); sub w { join "", map { chr(97 + int(rand(26))) } 1 .. $_[0] }
		print "PRAGMA page_size=4096;\nBEGIN;\n";
		print "CREATE TABLE customers(id INTEGER PRIMARY KEY, region INTEGER, name TEXT, bio TEXT);\n";
		print "CREATE TABLE orders(id INTEGER PRIMARY KEY, cust INTEGER, amount INTEGER, note TEXT);\n";
		printf "INSERT INTO customers VALUES(%d,%d,\x27%s\x27,\x27%s\x27);\n", $_, int(rand(16)), w(20), w(1500 + int(rand(500))) for 1 .. 400;
		printf "INSERT INTO orders VALUES(%d,%d,%d,\x27%s\x27);\n", $_, 1 + int(rand(400)), int(rand(10000)), w(3000 + int(rand(900))) for 1 .. 100;
		print "COMMIT;\n"' | sqlite3 "$in/shop.db"
	cat > "$in/query.sql" <<-'EOF'
	PRAGMA mmap_size=16777216;
	SELECT c.region, count(*), sum(o.amount), max(o.amount)
	  FROM orders o JOIN customers c ON c.id = o.cust
	 GROUP BY c.region ORDER BY 3 DESC;
	EOF
	record bench/traces/sqlite.vpn.gz /usr/bin/sqlite3 -readonly "$in/shop.db" < "$in/query.sql"

	# Interpreter: perl compiles and runs a small script, an in-memory
	# document store: 20 documents of 16-32 KB cut from a generated corpus,
	# indexed by tag, totalled per author, the longest ones sorted out.
	# perl itself (start, compiling the script) is about half of the
	# references.
	cat > "$in/docs.pl" <<-'EOF'
	srand(1);
	my $corpus = join '', map { chr(97 + int(rand(26))) x (1 + int(rand(1000))) } 1 .. 120;
	my (@docs, %by_tag, %bytes_by_author);
	for my $i (1 .. 20) {
		my $len = 16000 + int(rand(16000));
		my $doc = { id => $i, author => 'a' . int(rand(10)), tags => [ 't' . int(rand(20)), 't' . int(rand(20)) ],
			    body => substr($corpus, int(rand(length($corpus) - $len)), $len) };
		push @docs, $doc;
		push @{ $by_tag{$_} }, $doc for @{ $doc->{tags} };
		$bytes_by_author{ $doc->{author} } += $len;
	}
	print "$_->{id} ", length($_->{body}), "\n" for (sort { length($b->{body}) <=> length($a->{body}) } @docs)[0 .. 2];
	print "$_ $bytes_by_author{$_}\n" for (sort { $bytes_by_author{$b} <=> $bytes_by_author{$a} } keys %bytes_by_author)[0 .. 2];
	print scalar(keys %by_tag), " tags\n";
	EOF
	record bench/traces/perl.vpn.gz /usr/bin/perl "$in/docs.pl"

	# Graph: tsort (coreutils) sorts a random DAG topologically: 700 nodes,
	# 1,200 edges from a lower to a higher number, in random order.
	perl -e 'srand(1); for (1 .. 1200) { my ($a, $b) = (int(rand(700)), int(rand(700)));
		next if $a == $b; ($a, $b) = ($b, $a) if $a > $b; print "n$a n$b\n" }' > "$in/dag"
	record bench/traces/tsort.vpn.gz /usr/bin/tsort "$in/dag"

	# Numeric: bc -l integrates 4/(1+x^2) over [0,1] (= pi) by Simpson's
	# rule, 40 intervals at 30 digits, the values kept in an array.
	cat > "$in/simpson.bc" <<-'EOF'
	scale = 30
	n = 40
	for (i = 0; i <= n; i++) { x = i / n; f[i] = 4 / (1 + x * x) }
	s = f[0] + f[n]
	for (i = 1; i < n; i++) { if (i % 2) s += 4 * f[i] else s += 2 * f[i] }
	s / (3 * n)
	EOF
	record bench/traces/bc.vpn.gz /usr/bin/bc -lq "$in/simpson.bc"
}

case "${1-}" in
"")
	hashjoin ;;
--corpus)
	hashjoin
	corpus ;;
*)
	out=$1
	shift
	record "$out" "$@" ;;
esac
