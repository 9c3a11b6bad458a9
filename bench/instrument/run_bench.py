#!/usr/bin/env python3
"""Slowdown of instrumented programs: uninstrumented vs the threadlens runtime (trace
written) vs clang's ThreadSanitizer, side by side. Prints medians, ratios and trace sizes.

  run_bench.py BIN_DIR [--runs N] [--scale S]

BIN_DIR holds bench_instrument_<program>_{plain,threadlens,tsan}.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

PROGRAMS = [
    ("work_queue", "lock-heavy", 200000),
    ("histogram", "access-heavy", 1000000),
    ("private_sums", "mostly-private", 4000000),
]
# threadlens-nc: the same threadlens binary without coalescing of sequential accesses.
VARIANTS = ["plain", "threadlens", "threadlens-nc", "tsan"]


def run_once(binary, arg, variant, trace):
    env = dict(os.environ)
    env.pop("THREADLENS_TRACE", None)
    env.pop("THREADLENS_COALESCE", None)
    if variant.startswith("threadlens"):
        env["THREADLENS_TRACE"] = trace
    if variant == "threadlens-nc":
        env["THREADLENS_COALESCE"] = "0"
    start = time.perf_counter()
    proc = subprocess.run([binary, str(arg)], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit("%s failed (%d): %s" % (binary, proc.returncode, proc.stderr.decode()[-2000:]))
    return elapsed, proc.stdout.strip()


def human(n):
    for unit in ["B", "KiB", "MiB", "GiB"]:
        if n < 1024 or unit == "GiB":
            return "%.1f %s" % (n, unit)
        n /= 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bin_dir")
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="threadlens-bench-")
    trace = os.path.join(tmp, "bench.tltrace")
    print("%-13s %-15s %8s %8s %8s %8s %8s %8s %8s %8s %10s %10s" %
          ("program", "kind", "plain", "tl", "tl-nc", "tsan", "tl/plain", "tsan/pl",
           "tl/tsan", "tl-nc/tsan", "trace tl", "trace tl-nc"))
    for name, kind, size in PROGRAMS:
        arg = max(1, int(size * args.scale))
        times = {v: [] for v in VARIANTS}
        outputs = {}
        trace_size = {}
        for r in range(args.runs):
            # Interleaved and rotated, so drift on a busy machine and the after-effects of
            # the previous run (page cache, file deletion) hit every variant alike.
            for v in VARIANTS[r % len(VARIANTS):] + VARIANTS[:r % len(VARIANTS)]:
                built = "threadlens" if v.startswith("threadlens") else v
                binary = os.path.join(args.bin_dir, "bench_instrument_%s_%s" % (name, built))
                t, out = run_once(binary, arg, v, trace)
                times[v].append(t)
                outputs.setdefault(v, out)
                if v.startswith("threadlens"):
                    trace_size[v] = os.path.getsize(trace)
                    os.remove(trace)
        if len(set(outputs.values())) != 1:
            sys.exit("%s: variants disagree on the result: %s" % (name, outputs))
        med = {v: statistics.median(times[v]) for v in VARIANTS}
        print("%-13s %-15s %7.3fs %7.3fs %7.3fs %7.3fs %7.1fx %7.1fx %7.2fx %8.2fx %10s %10s" %
              (name, kind, med["plain"], med["threadlens"], med["threadlens-nc"], med["tsan"],
               med["threadlens"] / med["plain"], med["tsan"] / med["plain"],
               med["threadlens"] / med["tsan"], med["threadlens-nc"] / med["tsan"],
               human(trace_size["threadlens"]), human(trace_size["threadlens-nc"])))
        sys.stdout.flush()
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
