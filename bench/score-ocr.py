#!/usr/bin/env python3
"""Scores `intake read` against the truth of bench/make-ocr-documents.py: field-level exact
match per kind, variant and field, and seconds per document.

    score-ocr.py TRUTH.json RESULTS.jsonl

RESULTS.jsonl: one JSON object per line, {"file": NAME, "seconds": S, "fields": {...}} with the
fields as `intake read --json` prints them. Text is compared after Unicode NFKC and with
whitespace removed (the reader gives "(" for the licence's "（"); numbers exactly as shown.
"""
import json
import sys
import unicodedata
from collections import defaultdict


def norm(value):
    if isinstance(value, str):
        return "".join(unicodedata.normalize("NFKC", value).split())
    return value


def main():
    truth = {t["file"]: t for t in json.load(open(sys.argv[1], encoding="utf-8"))}
    results = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8") if line.strip()]
    hits = defaultdict(lambda: [0, 0])  # (kind, variant, field) -> [exact, total]
    seconds = defaultdict(list)  # (kind, variant) -> seconds
    misses = []
    for result in results:
        t = truth[result["file"].replace("\\", "/").rsplit("/", 1)[-1]]
        kind, variant = t["kind"], t["variant"]
        seconds[(kind, variant)].append(result["seconds"])
        for key, expected in t["fields"].items():
            field = result.get("fields", {}).get(key)
            got = field["value"] if field else "<absent>"
            same = norm(got) == norm(expected)
            hits[(kind, variant, key)][0] += same
            hits[(kind, variant, key)][1] += 1
            if not same:
                misses.append((result["file"], key, expected, got))
    variants = sorted({v for _, v, _ in hits}, key=lambda v: (v != "clean", v))
    kinds = sorted({k for k, _, _ in hits})
    print("Field-level exact match (documents per cell in brackets):\n")
    print("| kind | field | " + " | ".join(variants) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in variants) + " |")
    for kind in kinds:
        fields = [f for k, v, f in hits if k == kind and v == "clean"]
        for field in dict.fromkeys(fields):
            cells = []
            for variant in variants:
                ok, total = hits.get((kind, variant, field), [0, 0])
                cells.append("%.0f %% (%d)" % (100.0 * ok / total, total) if total else "-")
            print("| %s | %s | %s |" % (kind, field, " | ".join(cells)))
    print("\nSeconds per document (mean / max):\n")
    print("| kind | " + " | ".join(variants) + " |")
    print("| --- | " + " | ".join("---" for _ in variants) + " |")
    for kind in kinds:
        cells = []
        for variant in variants:
            s = seconds.get((kind, variant), [])
            cells.append("%.2f / %.2f" % (sum(s) / len(s), max(s)) if s else "-")
        print("| %s | %s |" % (kind, " | ".join(cells)))
    every = [x for s in seconds.values() for x in s]
    print("\nAll %d documents: mean %.2f s, max %.2f s." % (len(every), sum(every) / len(every), max(every)))
    if misses:
        print("\nMisses (file, field, expected, read):", file=sys.stderr)
        for miss in misses:
            print("  %s %s: %r -> %r" % miss, file=sys.stderr)


if __name__ == "__main__":
    main()
