"""Working-time arithmetic speed: due times and step durations as SOP runs and compliance reports compute them.

    python benchmarks/working_time.py [--steps 100000] [--rounds 3] [--seed 7]

Starts are spread over 2025-2027 (fixed random seed), at any hour, Waktu values as the seed SOPs use them
(minutes, hours, days, working days). Each round times `due_at` for every start, then `working_time_between`
from each start to a moment up to 30 calendar days later (a compliance report over that many steps). The
calendar is the default one (07:30-16:00, Friday until 16:30, national holidays and collective leave from the
`holidays` package). No database and no data files are needed. Medians over the rounds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jagaweb.sop.calendar import TimeUnit, WorkingCalendar, due_at, public_holidays, working_time_between

WAKTU = [(15, TimeUnit.MINUTES), (2, TimeUnit.HOURS), (3, TimeUnit.HOURS), (1, TimeUnit.DAYS),
         (1, TimeUnit.WORKING_DAYS), (3, TimeUnit.WORKING_DAYS), (14, TimeUnit.WORKING_DAYS)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    zone = ZoneInfo("Asia/Jakarta")
    calendar = WorkingCalendar(zone=zone)
    rng = random.Random(args.seed)
    origin = datetime(2025, 1, 1, tzinfo=zone)
    starts = [origin + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)) for _ in range(args.steps)]
    waktu = [rng.choice(WAKTU) for _ in range(args.steps)]
    ends = [start + timedelta(minutes=rng.randrange(30 * 24 * 60)) for start in starts]
    for year in (2025, 2026, 2027, 2028):
        public_holidays(year, True)  # the first call per year builds the table; runs keep it cached
    due_times, between_times = [], []
    for _round in range(args.rounds):
        began = time.perf_counter()
        for start, (value, unit) in zip(starts, waktu, strict=True):
            due_at(start, value, unit, calendar)
        due_times.append(time.perf_counter() - began)
        began = time.perf_counter()
        for start, end in zip(starts, ends, strict=True):
            working_time_between(start, end, calendar)
        between_times.append(time.perf_counter() - began)
    due, between = statistics.median(due_times), statistics.median(between_times)
    print(f"{args.steps} steps, {args.rounds} rounds, Python {sys.version.split()[0]}")
    print(f"due_at:               {due:.3f} s  ({due / args.steps * 1e6:.1f} µs per step)")
    print(f"working_time_between: {between:.3f} s  ({between / args.steps * 1e6:.1f} µs per step, spans up to 30 days)")


if __name__ == "__main__":
    main()
