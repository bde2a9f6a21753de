#!/usr/bin/env python3
"""A plain BM25 peer scorer for the citebot eval sets (python3, stdlib only).

It ranks the blank-line separated paragraphs of a corpus for every question
of a JSON Lines set by BM25 over CJK character bigrams (k1 1.2, b 0.75, top
10) and scores the rankings as testdata/eval/README.md defines: whitespace
deleted, a passage is relevant when it contains a gold answer, recall@k and
MRR@10 over the answerable questions.

Tokens: every pair of adjacent CJK ideographs (a run of one gives the
character itself) and lowercase runs of other letters and digits. A query
term repeated in the question counts once per occurrence. On the shared
sets this reproduces the "CJK bigrams" peer rows of testdata/eval/README.md.

    python3 testdata/bench/bm25_peer.py \\
        --doc testdata/eval/cmrc2018_trial.txt --qa testdata/eval/cmrc2018_trial.jsonl

It is the reference process for `citebot eval --no-answers` wall time; see
README.md beside it.
"""

import argparse
import heapq
import json
import math
import re
import sys
from collections import Counter, defaultdict

K1, B, TOP = 1.2, 0.75, 10

CJK = r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
TOKEN = re.compile(f"[{CJK}]+|[^\\W_{CJK}]+")
IS_CJK = re.compile(f"[{CJK}]")
SPACE = re.compile(r"\s+")


def tokens(text):
    """Returns the BM25 tokens of text in order."""
    out = []
    for run in TOKEN.findall(text):
        if IS_CJK.match(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            out.append(run.lower())
    return out


def paragraphs(corpus):
    """Splits a corpus into its blank-line separated paragraphs."""
    return [p.strip() for p in re.split(r"\n\s*\n", corpus) if p.strip()]


class BM25:
    def __init__(self, docs):
        self.n = len(docs)
        self.postings = defaultdict(list)  # term -> [(doc, tf)]
        lengths = []
        for d, text in enumerate(docs):
            toks = tokens(text)
            lengths.append(len(toks))
            for term, tf in Counter(toks).items():
                self.postings[term].append((d, tf))
        avg = sum(lengths) / self.n if self.n else 1.0
        self.norm = [K1 * (1 - B + B * length / avg) for length in lengths]
        self.idf = {
            t: math.log(1 + (self.n - len(p) + 0.5) / (len(p) + 0.5))
            for t, p in self.postings.items()
        }

    def search(self, query, k=TOP):
        scores = defaultdict(float)
        for term in tokens(query):
            plist = self.postings.get(term)
            if not plist:
                continue
            idf = self.idf[term]
            for d, tf in plist:
                scores[d] += idf * tf * (K1 + 1) / (tf + self.norm[d])
        return heapq.nsmallest(k, scores, key=lambda d: (-scores[d], d))


def normalise(s):
    return SPACE.sub("", s)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--doc", required=True, help="corpus .txt")
    ap.add_argument("--qa", required=True, help="question set .jsonl")
    args = ap.parse_args(argv)

    with open(args.doc, encoding="utf-8") as f:
        docs = paragraphs(f.read())
    normed = [normalise(d) for d in docs]
    index = BM25(docs)

    hits = {1: 0, 3: 0, 5: 0, 10: 0}
    rr, answerable = 0.0, 0
    with open(args.qa, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            golds = [normalise(a) for a in row.get("answers") or [] if normalise(a)]
            if not golds:
                continue
            answerable += 1
            ranked = index.search(row.get("question") or "")
            rank = next((i + 1 for i, d in enumerate(ranked)
                         if any(g in normed[d] for g in golds)), 0)
            if rank:
                rr += 1 / rank
                for k in hits:
                    if rank <= k:
                        hits[k] += 1
    n = max(answerable, 1)
    print(f"paragraphs {len(docs)}  answerable {answerable}  "
          + "  ".join(f"R@{k} {hits[k] / n:.3f}" for k in sorted(hits))
          + f"  MRR@10 {rr / n:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
