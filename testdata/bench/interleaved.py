#!/usr/bin/env python3
"""Times `citebot eval --no-answers` against bm25_peer.py, interleaved.

hyperfine runs all runs of one command, then all of the next, so a change in
the machine's load during a run lands on one side only. This runs the peer
and each citebot binary in turn, round after round, and prints the medians
and the median of the per-round ratios. From the repository root:

    python3 testdata/bench/interleaved.py --rounds 40 /tmp/citebot [/tmp/citebot-before]
"""
import argparse
import statistics
import subprocess
import time

p = argparse.ArgumentParser()
p.add_argument("--rounds", type=int, default=40)
p.add_argument("--python", default="/usr/bin/python3")
p.add_argument("--set", default="cmrc2018_trial")
p.add_argument("binaries", nargs="+")
a = p.parse_args()
doc, qa = f"testdata/eval/{a.set}.txt", f"testdata/eval/{a.set}.jsonl"
cmds = {"peer": [a.python, "testdata/bench/bm25_peer.py", "--doc", doc, "--qa", qa]}
for i, b in enumerate(a.binaries):
    cmds[b] = [b, "eval", "--doc", doc, "--qa", qa, "--no-answers", "--data-dir", f"/tmp/citebot-interleaved-{i}"]
times = {k: [] for k in cmds}
for r in range(a.rounds + 2):  # two warm-up rounds (the first writes the snapshot)
    for k, c in cmds.items():
        t0 = time.perf_counter()
        subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        if r >= 2:
            times[k].append((time.perf_counter() - t0) * 1000)
peer = times["peer"]
print(f"peer {statistics.median(peer):.1f} ms")
for k in a.binaries:
    t = times[k]
    ratio = statistics.median(x / y for x, y in zip(t, peer))
    print(f"{k} {statistics.median(t):.1f} ms, ratio of medians {statistics.median(t) / statistics.median(peer):.3f}, median of round ratios {ratio:.3f}")
