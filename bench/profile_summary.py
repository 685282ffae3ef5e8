"""Summarise a py-spy raw (collapsed stacks) profile: top functions by self and inclusive share.

    python bench/profile_summary.py /tmp/zerokeep-bench.XXXX/profile.txt [--top 25]

Percentages are of all samples (every thread that was not idle); line numbers are folded so a
function counts once.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path


def frame_name(frame: str) -> str:
    """'handle (zerokeep/gateway/pipeline.py:77)' -> 'handle (gateway/pipeline.py)'."""
    match = re.fullmatch(r"(.*) \((.*?)(?::\d+)?\)", frame)
    if match is None:
        return frame or "<unknown>"
    function, path = match.groups()
    return f"{function} ({'/'.join(path.split('/')[-2:])})"


def summarise(path: Path) -> tuple[int, Counter[str], Counter[str]]:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [frame_name(frame) for frame in stack.split(";")]
        own[frames[-1]] += samples
        for name in set(frames):
            inclusive[name] += samples
    return total, own, inclusive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    total, own, inclusive = summarise(args.profile)
    print(f"{total} samples")
    for title, counter in (("self", own), ("inclusive", inclusive)):
        print(f"\n{title}:")
        for name, samples in counter.most_common(args.top):
            print(f"  {100 * samples / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
