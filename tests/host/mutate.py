# SPDX-License-Identifier: GPL-2.0
#
# The mutants the host tests were seen failing on: python3 tests/host/mutate.py
# [PREFIX] builds each (those whose id starts with PREFIX, e.g. A for
# loader/args.c's, S for bpf/lib/stride.h's, E for the evictors', L for
# lirs.h's, R for tree.h's, P for the prefetch feedback's) against a
# mutated copy of bench/lib, loader/ or bpf/ (nothing in the tree is
# changed) and prints the tests that failed, the first failing EXPECT of
# each, and any EXPECT no mutant made fail. T13 (byte order) is equivalent:
# only equality of page numbers reaches the dense numbering. O11 survives:
# the tests check that opt_check() agrees, not that it can disagree.
# P8 survives since pf_miss_pct: weighing faults more loosens the budget
# only where faults are many, and there the bound on misses (33% of the
# verdicts) is the tighter one. (P2 and P3 survived before
# bets_that_mostly_miss_back_off: it fails both.) L8 survives here: the
# host device's pending uses are every hit, told late; gmem_sim reports a
# hit only on a TLB miss, and there L8 took 5,355 faults on the hash join
# at half its pages, not 2,732: policy.bats "lirs stays near lru" fails.
M = [
# util
("U1", "util.c", "return x < y ? -1 : x > y;\n}\n\n/* The nearest", "return x > y ? -1 : x < y;\n}\n\n/* The nearest", "cmp_u64 sorts descending"),
("U2", "util.c", "return x < y ? -1 : x > y;\n}\n\nint cmp_u64", "return x > y ? -1 : x < y;\n}\n\nint cmp_u64", "cmp_u32 sorts descending"),
("U3", "util.c", "size_t i = (size_t)ceil(q * n);", "size_t i = (size_t)floor(q * n);", "percentile rounds down"),
("U4", "util.c", "return n ? v[pct_index(n, q)] : 0;\n}\n\nu64 pct_u64", "return v[pct_index(n ? n : 1, q)];\n}\n\nu64 pct_u64", "pct_u32 reads a sample when there is none"),
("U5", "util.h", "z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;", "z = (z ^ (z >> 26)) * 0x94d049bb133111ebULL;", "splitmix64 wrong shift"),
("U6", "util.h", "return (rng_next(s) >> 11) * (1.0 / 9007199254740992.0);", "return (rng_next(s) >> 10) * (1.0 / 9007199254740992.0);", "rng_unit up to 2"),
("U7", "util.c", "return n ? v[pct_index(n, q)] : 0;\n}\n\nu64 pct_u64", "return n ? v[pct_index(n - 1, q)] : 0;\n}\n\nu64 pct_u64", "pct_u32 ranks over n - 1"),
("U8", "util.h", "u64 z = (*s += 0x9e3779b97f4a7c15ULL);", "u64 z = (*s + 0x9e3779b97f4a7c15ULL);", "splitmix64 state not advanced"),
# opt
("O1", "opt.c", "heap_remove(&h, h.page[0]);", "heap_remove(&h, h.page[h.size - 1]);", "OPT evicts a heap leaf, not the furthest next use"),
("O2", "opt.c", "\t\tif (seq[i] & OPT_REMOVE) {\n\t\t\tif (h.pos[p] != NOWHERE)\n\t\t\t\theap_remove(&h, p);\n\t\t\tcontinue;", "\t\tif (seq[i] & OPT_REMOVE) {\n\t\t\tcontinue;", "OPT ignores removals"),
("O3", "opt.c", "\t\t\tlast[p] = NEVER;\n\t\t\tcontinue;", "\t\t\tcontinue;", "OPT's next use looks past a removal"),
("O4", "opt.c", "if (h->key[h->page[parent]] >= h->key[h->page[i]])", "if (h->key[h->page[parent]] <= h->key[h->page[i]])", "heap_up inverted"),
("O5", "opt.c", "\t\t\th.key[p] = next[i];\n\t\t\theap_up(&h, h.pos[p]);", "\t\t\theap_up(&h, h.pos[p]);", "OPT does not update the next use on a hit"),
("O6", "opt.c", "\t\tif (in[p]) {\n\t\t\tUNLINK(p);\n\t\t\tPUSH(p);\n\t\t\tcontinue;", "\t\tif (in[p]) {\n\t\t\tcontinue;", "LRU hit does not move the page (FIFO)"),
("O7", "opt.c", "u32 victim = prev[head];", "u32 victim = nxt[head];", "LRU evicts the newest"),
("O8", "opt.c", "\t\t\tif (in[p]) {\n\t\t\t\tUNLINK(p);\n\t\t\t\tin[p] = false;\n\t\t\t\tsize--;\n\t\t\t}\n\t\t\tcontinue;", "\t\t\tcontinue;", "LRU ignores removals"),
("O9", "opt.c", "\t\t\tif (arrived[p]) {\n\t\t\t\tarrived[p] = 0;\n\t\t\t\tsize--;\n\t\t\t}\n\t\t\tcontinue;", "\t\t\tcontinue;", "FIFO ignores removals"),
("O10", "opt.c", "\t\tif (arrived[p])\n\t\t\tcontinue;\n\t\tfaults++;", "\t\tif (arrived[p]) {\n\t\t\tarrived[p] = ++clock;\n\t\t\tcontinue;\n\t\t}\n\t\tfaults++;", "FIFO: a hit renews the arrival (stale queue)"),
("O11", "opt.c", "\t\tif (opt_faults(seq, n, npages, cap) != exhaustive(seq, n, cap))\n\t\t\tbad++;", "\t\t(void)exhaustive;", "opt_check compares nothing"),
("O12", "opt.c", "*big_seconds = (now_ns() - t0) / 1e9;", "*big_seconds = 0 * t0;", "opt_check reports no time"),
("O13", "opt.c", "\t\tif (size == capacity) {\n\t\t\tu32 victim = prev[head];", "\t\tif (size + 1 >= capacity && size) {\n\t\t\tu32 victim = prev[head];", "LRU evicts with a frame free"),
# workloads
("W1", "workloads.c", "return h ^ (u64)(size_x * 1000);", "return 1 ^ (u64)(size_x * 1000) ^ (seed & 0);", "seed ignored"),
("W2", "workloads.c", "refs_push(r, base + rng_next(rng) % n);", "refs_push(r, base + rng_next(rng) % (n + 1));", "random one page too far"),
("W3", "workloads.c", "for (off = 0; off < stride && off < n; off++)", "for (off = 0; off + 1 < stride && off < n; off++)", "stride misses its last offset"),
("W4", "workloads.c", "gen_seq(&w->t[0], n, 4);", "gen_seq(&w->t[0], n, 3);", "cyclic: three passes"),
("W5", "workloads.c", "w->chunk = 256;", "w->chunk = 128;", "tenants: chunk 128"),
("W6", "workloads.c", "(t ? w->npages[0] : 0));", "0);", "merged: tenant 1 pages not offset"),
("W7", "workloads.c", "refs_push(out, w->touch[r].ref[k] | OPT_REMOVE);", "refs_push(out, w->touch[r].ref[k]);", "merged: CPU touches not removals"),
("W8", "workloads.c", "if (!(m.ref[i] & OPT_REMOVE) && !seen[p]) {", "if (!seen[p]) {", "distinct counts removed pages"),
("W9", "workloads.c", "sum += 1.0 / pow((double)(i + 1), s);", "sum += 1.0 + 0 * s;", "zipf uniform"),
("W10", "workloads.c", "gen_random(&w->t[0], n / 2, n - n / 2, n, &rng);", "gen_random(&w->t[0], 0, n - n / 2, n, &rng);", "phase: second half over the first"),
("W11", "workloads.c", "\t} else {\n\t\treturn -1;\n\t}\n\treturn 0;", "\t} else {\n\t\treturn 0;\n\t}\n\treturn 0;", "unknown family accepted"),
("W12", "workloads.c", "if (n < 2)", "if (n < 1)", "one-page workload accepted"),
("W13", "workloads.c", "\"zipf-%.1f\"", "\"zipf-%.2f\"", "zipf name format"),
("W14", "workloads.c", "refs_push(&w->touch[r], rng_next(&rng) % n);", "refs_push(&w->touch[r], rng_next(&rng) % (2 * n));", "cpu-share touches over twice the pages"),
("W15", "workloads.c", "for (i = 0; i < n / 20; i++)", "for (i = 0; i < n / 10; i++)", "cpu-share: 10% touched"),
("W16", "workloads.c", "gen_random(&w->t[0], 0, n, 2 * n, &rng);", "gen_random(&w->t[0], 0, n / 2, 2 * n, &rng);", "random over half the pages"),
("W17", "workloads.c", "\tw->npages[0] = n;\n\tif (n < 2)", "\tw->npages[0] = n + 1;\n\tif (n < 2)", "npages one too many"),
("W18", "workloads.c", "rng = name_seed(w->name, size_x, seed);\n\t\tgen_random(&w->t[0], 0, n, 2 * n, &rng);", "rng = name_seed(w->name, size_x, seed) ^ now_ns();\n\t\tgen_random(&w->t[0], 0, n, 2 * n, &rng);", "random drawn from the clock"),
("W19", "workloads.c", "w->capacity = capacity;", "w->capacity = capacity + 1;", "capacity off by one"),
("W20", "workloads.c", "gen_seq(&w->t[1], w->npages[1], 2);", "gen_random(&w->t[1], 0, w->npages[1], 2 * w->npages[1], &rng);", "tenant 1 random, not a scan"),
("W21", "workloads.c", "gen_random(&w->t[0], 0, n, n / 2, &rng);", "gen_random(&w->t[0], 0, n, n / 2 + 1, &rng);", "cpu-share rounds one reference long"),
("W22", "workloads.c", "w->opt = opt_faults(m.ref, m.n, npages, w->capacity);", "w->opt = opt_faults(m.ref, m.n, npages, w->capacity + 1);", "workload_opt at another capacity"),
("W23", "workloads.c", "w->lru_sim = lru_faults(m.ref, m.n, npages, w->capacity);", "w->lru_sim = fifo_faults(m.ref, m.n, npages, w->capacity);", "lru_sim is FIFO"),
("W24", "workloads.c", "size_t end = pos[t] + w->chunk;", "size_t end = pos[t] + w->chunk / 2;", "merged: half chunks"),
("W26", "workloads.c", "} else if (!strcmp(family, \"cpu-share\")) {", "} else if (!strcmp(family, \"cpushare\")) {", "cpu-share misspelt: refused"),
("W27", "workloads.c", "return h ^ (u64)(size_x * 1000);", "return h;", "size not in the seed"),
("W28", "workloads.c", "\tw->tenants = 1;\n\tw->npages[0] = n;", "\tw->tenants = 2;\n\tw->npages[0] = n;", "one-tenant workloads say two"),
("W29", "workloads.c", "\t\t\t\trefs_push(&w->touch[r], rng_next(&rng) % n);\n\t\t}", "\t\t\t\trefs_push(&w->touch[r], rng_next(&rng) % n);\n\t\t}\n\t\tw->rounds = r - 1;", "cpu-share counts one round less"),
("W30", "workloads.c", "for (i = 0; i < n; i++)\n\t\t\trefs_push(r, i);", "for (i = 0; i < n; i++)\n\t\t\trefs_push(r, n - 1 - i);", "seq descending"),
("W31", "workloads.c", "gen_seq(&w->t[0], n, 4);", "gen_stride(&w->t[0], n, 2, 4);", "cyclic as stride-2"),
("W40", "workloads.c", "\t\t\tfor (i = 0; i <= t; i++)\n\t\t\t\trefs_push(r, w + l * LLM_TOKENS + i);", "\t\t\tfor (i = 0; i < t; i++)\n\t\t\t\trefs_push(r, w + l * LLM_TOKENS + i);", "llm-decode: a token does not read its own KV page"),
("W41", "workloads.c", "\t\t\trefs_push(r, e + rng_next(rng) % (n - e));", "\t\t\trefs_push(r, rng_next(rng) % n);", "gnn: gathers anywhere"),
("W42", "workloads.c", "gen_zipf(&probes, 0, IVF_LISTS, 2 * n / len, 1.0, rng);", "gen_random(&probes, 0, IVF_LISTS, 2 * n / len, rng);", "ivf: lists probed uniformly"),
("W43", "workloads.c", "\t\t\t\trefs_push(r, m * m + k * m + j);", "\t\t\t\trefs_push(r, m * m + j * m + k);", "gemm: B read by rows"),
("W44", "workloads.c", "\t\tif (n < 2 * LLM_LAYERS * LLM_TOKENS)\n\t\t\treturn -1;", "", "llm-decode: too small accepted"),
("W32", "workloads.c", "if (n < 2)", "if (n < 3)", "two-page workload refused"),
# tracefile
("T1", "tracefile.c", "if (!*p || *p == '#')", "if (!*p)", "comments not skipped"),
("T2", "tracefile.c", "\t\tif (m->key[i] == vpn)\n\t\t\treturn m->val[i] - 1;", "\t\tif (m->key[i] == vpn)\n\t\t\treturn vpn;", "a repeat maps to its vpn"),
("T3", "tracefile.c", "return TRACE_RAW;\n\treturn TRACE_TEXT;", "return TRACE_TEXT;\n\treturn TRACE_TEXT;", "sniff always text"),
("T4", "tracefile.c", "len = gzread(f, head, sizeof(head));", "{ FILE *rf = fopen(path, \"rb\"); len = rf ? (int)fread(head, 1, sizeof(head), rf) : -1; if (rf) fclose(rf); }", "sniffs the compressed bytes"),
("T5", "tracefile.c", "\t\tgzrewind(f);", "", "no rewind after sniffing"),
("T6", "tracefile.c", "for (i = 0; i < len / 8 && r->n < max_refs; i++)", "for (i = 0; i < len / 8; i++)", "raw ignores max_refs"),
("T7", "tracefile.c", "while (r->n < max_refs && gzgets(f, line, sizeof(line))) {", "while (gzgets(f, line, sizeof(line))) {", "text ignores max_refs"),
("T8", "tracefile.c", "if (errno || end == p) {", "if (errno) {", "a line that is no number accepted"),
("T9", "tracefile.c", "\t\t\tif (len % 8) {", "\t\t\tif (0) {", "raw partial word accepted"),
("T10", "tracefile.c", "\tf = gzopen(path, \"rb\");\n\tif (!f)\n\t\treturn -1;", "\tf = gzopen(path, \"rb\");\n\tif (!f)\n\t\treturn 0;", "missing file returns 0"),
("T11", "tracefile.c", "\treturn m.size;\n}", "\treturn m.size ? (long)m.size : -1;\n}", "empty file refused"),
("T12", "tracefile.c", "for (j = hash64(m->key[i]) & (n.cap - 1); n.val[j];", "for (j = hash64(m->key[i]) & (m->cap - 1); n.val[j];", "grow rehashes with the old mask"),
("T13", "tracefile.c", "refs_push(r, pagemap_get(&m, le64toh(v[i])));", "refs_push(r, pagemap_get(&m, be64toh(v[i])));", "raw read big-endian"),
("T14", "tracefile.c", "if (line[0] == 'I' ? !with_instr :", "if (line[0] == 'I' ? 0 :", "lackey: instructions always"),
("T15", "tracefile.c", "\t\tif (vpn == last)\n\t\t\tcontinue;", "", "lackey: repeats kept"),
("T16", "tracefile.c", "if (line[0] == 'I' ? !with_instr :", "if (line[0] == 'I' ? 1 :", "lackey: instructions never"),
("T17", "tracefile.c", "return n > 0 ? 0 : -1;", "return 0;", "lackey: nothing converted is success"),
("T18", "tracefile.c", "!(line[0] == ' ' && strchr(\"LSM\", line[1]) && line[1]))", "!(line[0] == ' '))", "lackey: any data letter"),
("T19", "tracefile.c", "vpn = addr >> PAGE_SHIFT_4K;", "vpn = addr >> 16;", "lackey: 64 KiB pages"),
("T20", "tracefile.c", "vpn = strtoull(p, &end, 0);", "vpn = strtoull(p, &end, 10);", "text: decimal only"),
("T21", "tracefile.c", "\tif (fmt == TRACE_RAW) {", "\tif (fmt == TRACE_RAW && gzdirect(f)) {", "raw only when not compressed"),
# loader/args.c: gmemctl's command lines
("A1", "loader/args.c", "\tif (!isdigit((unsigned char)s[0]))\n\t\treturn -1;\n\terrno = 0;", "\terrno = 0;", "parse_number takes '', ' 5', '+5'"),
("A2", "loader/args.c", "\t\tif (mag > max)\n\t\t\treturn -ERANGE;", "", "knob value: no upper bound"),
("A3", "loader/args.c", "if (mag > (uint64_t)(-(min + 1)) + 1)", "if (mag > (uint64_t)(-(min + 1)))", "knob value: signed minimum refused"),
("A4", "loader/args.c", "\tif (*end)\n\t\treturn -EINVAL;\n\treturn errno", "\treturn errno", "knob value: trailing garbage ignored"),
("A5", "loader/args.c", "if (!eq || eq == arg || !eq[1])", "if (!eq || eq == arg)", "--set NAME= taken"),
("A6", "loader/args.c", "\tif (!knob_name_valid(name))\n\t\treturn -EINVAL;\n", "", "--set: any NAME taken"),
("A7", "loader/args.c", "\t\t\t\tif (!strcmp(name, other)) {", "\t\t\t\tif (0) {", "--set: the same knob twice taken"),
("A8", "loader/args.c", "\tif (optind != argc) {\n\t\tfprintf(stderr, \"gmemctl trace: unexpected", "\tif (0) {\n\t\tfprintf(stderr, \"gmemctl trace: unexpected", "trace: extra arguments taken"),
("A9", "loader/args.c", "\t\t\tif (a->pid <= 0) {", "\t\t\tif (a->pid < 0) {", "use: --pid 0 taken"),
("A10", "loader/args.c", "\tcase 2: memcpy(dst, &v16, 2); break;\n", "", "store_int: a 2-byte knob written as 8 bytes"),
("A11", "loader/args.c", "\t\treturn k->is_signed ? (uint64_t)(int64_t)(int16_t)v16 : v16;", "\t\treturn v16;", "load_int: no sign extension"),
("A12", "loader/args.c", "\tif (optind != argc - 1) {\n\t\tfprintf(stderr, \"gmemctl load: wants", "\tif (optind >= argc) {\n\t\tfprintf(stderr, \"gmemctl load: wants", "load: two OBJ taken"),
("A13", "loader/args.c", "\tif (k->is_bool) {\n\t\t*min = 0;\n\t\t*max = 1;\n\t} else if", "\tif", "a bool takes 0..255"),
("A14", "loader/args.c", "\t\tbase = 16;\n\t\ts += 2;", "\t\ts += 2;", "knob value: 0x refused"),
("A15", "loader/args.c", "\tif (k->is_bool && (!strcmp(s, \"true\") || !strcmp(s, \"false\"))) {", "\tif ((!strcmp(s, \"true\") || !strcmp(s, \"false\"))) {", "true taken for an integer"),
("A16", "loader/args.c", "\tif (a->new_name && !gmem_policy_name_valid(a->new_name)) {", "\tif (0) {", "load: --name not checked"),
("A17", "loader/args.c", "\tif (a->pid < 0 && !strcmp(a->name, \"system\")) {", "\tif (0) {", "use system without --pid taken"),
# stride (bpf/lib/stride.h)
("S1", "bpf/lib/stride.h", "if (s->next_va && va == s->next_va) {", "if (0) {", "a fault past the prefetch is taken for a new stride (main's stride.h before issue 18)"),
("S2", "bpf/lib/stride.h", "s->window = s->window * 2 > STRIDE_MAX_WINDOW ?\n\t\t\t    STRIDE_MAX_WINDOW : s->window * 2;", "s->window = STRIDE_MIN_WINDOW;", "the window of a stride of one page does not grow"),
("S3", "bpf/lib/stride.h", "return n > 0 ? va + (n + 1) * stride : 0;", "return n > 0 ? va + n * stride : 0;", "the next fault expected on the last page fetched"),
("S4", "bpf/lib/stride.h", "stride <= (__s64)STRIDE_MAX &&", "stride <= 2 * (__s64)STRIDE_MAX &&", "strides up to 128 pages followed"),
("S6", "bpf/lib/stride.h", "if (next < req->vma_start || next >= req->vma_end ||", "if (next < req->vma_start ||", "strides proposed past the end of the mapping"),
("S7", "bpf/lib/stride.h", "#define STRIDE_MAX		(64 * GMEM_PAGE_SIZE)", "#define STRIDE_MAX		(8 * GMEM_PAGE_SIZE)", "strides over 8 pages not followed"),
("S8", "bpf/lib/stride.h", "stride <= (__s64)STRIDE_MAX &&", "stride < (__s64)STRIDE_MAX &&", "a stride of 64 pages not followed"),
("S5", "bpf/lib/stride.h", "if (start < req->vma_start || start > va)\n\t\t\tstart = req->vma_start;\n\t\tif (start < va)", "if (0)", "downwards: nothing fetched"),
# evictors (bpf/lib/s3fifo.h, sieve.h, lirs.h, ghost.h, frame_list.h; bench/lib/evictors.c)
("E1", "bpf/lib/s3fifo.h", "gmem_ghost_add(dev, w->req->nr_frames, &p->key, 0);", "gmem_ghost_add(dev, 0, &p->key, 0);", "s3fifo remembers no ghost"),
("E2", "bpf/lib/s3fifo.h", "\tif (n->count) {\n\t\tn->count = 0;", "\tif (0) {\n\t\tn->count = 0;", "s3fifo never promotes to main"),
("E3", "bpf/lib/s3fifo.h", "\tn->count--;", "\tn->count = 0;", "s3fifo main: one second chance only"),
("E4", "bpf/lib/s3fifo.h", "(!main_left || (small_size && *small_size > w->small_target)))", "(!main_left || (small_size && *small_size >= w->small_target)))", "s3fifo small keeps one page less"),
("E5", "bpf/lib/ghost.h", "if (old && old->seq1 == g->seq + 1)", "if (old)", "a page's newer ghost is forgotten"),
("E6", "bpf/lib/sieve.h", "sieve_set_hand(req->dev, w.cur);", "sieve_set_hand(req->dev, gmem_list_slot(req->dev, 0));", "sieve's hand restarts from the oldest"),
("E7", "bpf/lib/sieve.h", "\tif (n->referenced || gmem_frame_take_referenced(req, frame))\n\t\tn->referenced = 0;\n\telse", "\tif (0)\n\t\tn->referenced = 0;\n\telse", "sieve ignores the visited bit (FIFO)"),
("E8", "bpf/lib/frame_list.h", "\t\tw.cur = from_newest ? head->prev : head->next;", "\t\tw.cur = head->prev;", "the frame list's walk starts at the newest"),
("E9", "evictors.c", "\t\t\t\tfreq[t]--;", "\t\t\t\tfreq[t] = 0;", "offline s3fifo: one second chance only"),
("L1", "bpf/lib/lirs.h", "lirs_set(dev, d, slot, p, p->hir && p->used <= lirs_bottom(dev, d));", "lirs_set(dev, d, slot, p, p->hir);", "lirs: a HIR page used while in S stays HIR"),
("L2", "bpf/lib/lirs.h", "\t\td->cold = d->held / 2;\n", "", "lirs: a ghost back in S leaves the cold share as it is"),
("L3", "bpf/lib/lirs.h", "if (d->nlir + d->cold <= d->held || !w->demote)", "if (1)", "lirs: LIR pages over their share are never made HIR"),
("L7", "bpf/lib/lirs.h", "\tif (gmem_frame_take_referenced(w->req, gmem_slot_frame(dev, slot))) {\n\t\tlirs_use(dev, d, slot);", "\tif (0) {\n\t\tlirs_use(dev, d, slot);", "lirs: uses the device reported are not taken at the LIR bottom"),
("L8", "bpf/lib/lirs.h", "\tif (gmem_frame_take_referenced(req, frame)) {\n\t\tlirs_use(dev, d, slot);", "\tif (0) {\n\t\tlirs_use(dev, d, slot);", "lirs: uses the device reported are not taken in the victim walk"),
("L9", "bpf/lib/lirs.h", "\tw.demote = req->wanted * LIRS_DEMOTE_MAX;", "\tw.demote = req->wanted * LIRS_DEMOTE_MAX * 1000;", "lirs: demotions unbounded per round"),
("L10", "bpf/lib/lirs.h", "\tshrink = p->hir && d->cold", "\tshrink = 0 && p->hir && d->cold", "lirs: the cold share never shrinks"),
("L11", "evictors.c", "\t\t\t\tcold--;\n", "\t\t\t\t;\n", "offline lirs: the cold share never shrinks"),
("L5", "bpf/lib/lirs.h", "gmem_ghost_add(dev, req->nr_frames, &p->key, p->used);", "gmem_ghost_add(dev, req->nr_frames, &p->key, 0);", "lirs: ghosts forget when they were used"),
("L6", "evictors.c", "\t\t\t\tcold = capacity / 2;\n", "\t\t\t\t;\n", "offline lirs: a ghost back in S leaves the cold share"),
("E11", "evictors.c", "if (g->next >= g->len && g->seq1[*slot] == g->next - g->len + 1)", "if (g->next >= g->len)", "offline ghosts: a page's newer ghost is forgotten"),
("E10", "evictors.c", "\t\t\t\thand = q.next[t];\n\t\t\t\tif (!visited[t]) {", "\t\t\t\thand = head;\n\t\t\t\tif (!visited[t]) {", "offline sieve's hand restarts"),
# tree (bpf/lib/tree.h)
("R1", "bpf/lib/tree.h", "\t\t.dev = dev,\n", "", "tree: a fault reads another device's residency (main before issue 18)"),
("R2", "bpf/lib/tree.h", "if (tree_count(bits, first, nr) * 100 > density_threshold * nr) {", "if (tree_count(bits, first, nr) * 100 > density_threshold * nr * 2) {", "tree: regions need twice the density"),
("R3", "bpf/lib/tree.h", "\t\tbpf_map_update_elem(&blocks, &key, &zero, BPF_NOEXIST);\n", "", "tree: a block the map has no room for"),
("R4", "bpf/lib/tree.h", "mask |= (__u32)(fresh & (tree_nz16(have) |\n\t\t\t\t\t\t (near >> leaf & 1))) << leaf;", "mask |= (__u32)fresh << leaf;", "tree: empty leaves fetched wherever the region is dense (UVM's rule)"),
("R5", "bpf/lib/tree.h", "(near >> leaf & 1))) << leaf;", "0)) << leaf;", "tree: empty leaves never fetched, not even the fault's"),
("R6", "bpf/lib/tree.h", "\tmask &= ((1ULL << (nr / LEAF_PAGES % 33)) - 1) << first;\n", "", "tree: holes fetched outside the dense region"),
# prefetch feedback (bpf/lib/pf_feedback.h and its users)
("P1", "bpf/lib/pf_feedback.h", "\tlevel = st->level;\n\tif (level <= PF_PROBE_LEVEL)", "\tlevel = 0;\n\tif (level <= PF_PROBE_LEVEL)", "feedback: the level never limits a fault"),
("P2", "bpf/lib/pf_feedback.h", "\tif (page->flags & GMEM_PAGE_UNUSED) {\n\t\tst->unused++;", "\tif (0) {\n\t\tst->unused++;", "feedback: every prefetched page counts as used"),
("P3", "bpf/lib/pf_feedback.h", "if ((__u64)st->unused * 100 > needed * pf_waste_pct ||\n\t    (__u64)st->unused * 100 >\n\t    (__u64)(st->used + st->unused) * pf_miss_pct) {", "if (st->unused) {", "feedback: any unused page is a bad sample"),
("P4", "bpf/lib/pf_feedback.h", "\t} else if (st->level) {\n\t\tst->level--;\n\t}", "\t}", "feedback: trust never comes back"),
("P5", "bpf/lib/tree.h", "pf_feedback_fault_kind(req, PF_KIND_FIRST, TREE_FIRST_LEVEL,", "pf_feedback_fault_kind(req, PF_KIND_FIRST, 0,", "tree starts trusted"),
("P6", "bpf/lib/seq.h", "\t} else {\n\t\ts->start_va = va;\n\t\ts->last_va = va;\n\t\ts->next_va = 0;\n\t\treturn 0;\n\t}", "\t} else {\n\t\ts->window = seq_min_window;\n\t}", "seq prefetches after a lone fault"),
("P7", "bpf/lib/tree.h", "len * LEAF_PAGES < allowed ? len * LEAF_PAGES : allowed,", "len * LEAF_PAGES,", "tree ignores the pages the feedback allows"),
("P8", "bpf/lib/pf_feedback.h", "needed = (__u64)st->faults + st->used;", "needed = (__u64)st->faults * 4 + st->used;", "feedback: faults weigh four times"),
("P10", "bpf/lib/pf_feedback.h", "\tif (!st)\n\t\treturn window;\n\tfor (i = 0; i < PF_ENDS; i++) {", "\treturn window;\n\tfor (i = 0; i < PF_ENDS; i++) {", "streams are not clipped where streams ended"),
("P11", "bpf/lib/pf_feedback.h", "st->ends[st->next_end % PF_ENDS] = bet->run + (verdicts >> 32);", "st->ends[st->next_end % PF_ENDS] = bet->run + bet->pages;", "a stream's end taken past its bet"),
("P13", "bpf/lib/pf_feedback.h", "\tif (passed && run - passed < best)", "\tif (0 && passed && run - passed < best)", "a stream past an end fetches a whole window"),
("P15", "bpf/lib/pf_feedback.h", "\treturn wasted * 100 > (needed + faults) * pf_waste_pct;", "\treturn false;", "feedback: no waste ledger, samples alone"),
("P16", "bpf/lib/tree.h", "if ((!allowed && !again) || pf_over_ledger(states))", "if (!allowed && !again)", "tree: its bets ignore the ledger"),
("P17", "bpf/lib/pf_feedback.h", "\t\tst = states[kind];\n", "\t\tst = states[PF_KIND_FIRST];\n\t\tif (kind)\n\t\t\tbreak;\n", "ledger: the tree's AGAIN bets left out"),
("P18", "bpf/lib/tree.h", "\t\t\t       page->prefetched_pending);", "\t\t\t       0);", "tree: the pages its bets push out are not charged"),
("P19", "bpf/lib/pf_feedback.h", "wasted += st->unused_all + st->displaced_all;", "wasted += st->unused_all;", "ledger: displaced pages left out"),
("P20", "tests/host/test_prefetch.c", "\t\t\tsim_end_pending(p);\n\t\t\tif (sim.page[p].referenced < 2)", "\t\t\tif (sim.page[p].referenced < 2)", "a reported use does not end a prefetched page's pending (mm/gmem/evict.c without gm_frame_end_pending())"),
("P14", "bpf/lib/pf_feedback.h", "\t    (__u64)st->unused * 100 >\n\t    (__u64)(st->used + st->unused) * pf_miss_pct) {", "\t    0) {", "feedback: bets that mostly miss are within budget"),
("P12", "tests/host/test_prefetch.c", "\treturn !first || seen > 1;", "\treturn true;", "a prefetched page's first use earns a second chance (mm/gmem before gm_frame_take_reports())"),
("P9", "tests/host/test_prefetch.c", "share < PREFETCH_BUDGET ? share : PREFETCH_BUDGET;", "PREFETCH_BUDGET;", "no device share in the budget (decide.c before GM_PREFETCH_DEV_SHARE)"),
("V1", "bpf/lib/sieve.h", "if (n->referenced || gmem_frame_take_referenced(req, frame))", "if (n->referenced)", "sieve ignores the uses GMEM has not passed on"),
("V2", "bpf/lib/s3fifo.h", "if (gmem_frame_take_referenced(w->req, gmem_slot_frame(dev, slot)) &&", "if (0 &&", "s3fifo ignores the uses GMEM has not passed on"),
]
import subprocess, shutil, os, sys, re, glob, tempfile


repo = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
base = tempfile.mkdtemp(prefix='gmem-mutate.')
hits = {}
os.chdir(repo)
only = sys.argv[1] if len(sys.argv) > 1 else ''
for mid, f, old, new, desc in M:
    if not mid.startswith(only):
        continue
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree('bench/lib', base + '/lib')
    shutil.copytree('loader', base + '/loader')
    shutil.copytree('bpf', base + '/bpf')
    shutil.copytree('tests/host', base + '/tests/host')
    # bench/lib's files by name, loader/'s, bpf/'s and tests/'s by their path.
    p = base + '/' + f if f.startswith(('loader/', 'bpf/', 'tests/')) else base + '/lib/' + f
    s = open(p).read()
    if s.count(old) != 1:
        print(f"{mid} NOT APPLIED ({s.count(old)} matches): {desc}")
        continue
    open(p, 'w').write(s.replace(old, new))
    srcs = glob.glob(base + '/lib/*.c')
    tests = glob.glob(base + '/tests/host/*.c')
    srcs += [base + '/loader/args.c', 'lib/gmem_sysfs.c']
    b = subprocess.run(['gcc', '-std=gnu11', '-O2', '-w', '-I', base + '/lib', '-I', base + '/loader', '-I', 'lib', '-I', 'tests/host/shim', '-I', base + '/bpf', '-isystem', 'kernel-patches/tree/include/uapi'] + tests + srcs + ['-lz', '-lm', '-o', base + '/t'], capture_output=True, text=True)
    if b.returncode:
        print(f"{mid} BUILD FAILED: {desc}\n{b.stderr[:500]}")
        continue
    try:
        r = subprocess.run([base + '/t'], capture_output=True, text=True, timeout=120)
        out, rc = r.stdout, r.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or '')), 'timeout'
    failed = re.findall(r'^not ok (\d+) - (.*)$', out, re.M)
    diag = re.findall(r'^# \S*?(tests/host/\S+?):(\d+):', out, re.M)
    for fl, ln in diag:
        hits.setdefault((fl, int(ln)), []).append(mid)
    print(f"{mid} [{desc}] exit {rc}; failed: " + (', '.join(n for n, _ in failed) or 'NONE') +
          ('; first failing EXPECT: ' + ', '.join(f'{os.path.basename(a)}:{b}' for a, b in diag) if diag else ''))
print('--- EXPECTs and the mutants that made them fail')
for f in sorted(glob.glob('tests/host/test_*.c')):
    for i, l in enumerate(open(f), 1):
        if 'EXPECT(' in l:
            print(f"{f}:{i}: {' '.join(hits.get((f, i), [])) or 'NEVER'}")
shutil.rmtree(base, ignore_errors=True)
