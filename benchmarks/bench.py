#!/usr/bin/env python3
"""Benchmark `sparkify run` against a bare DuckDB read of the same files (the "floor").

Generates the data sets once (cached in benchmarks/.data/), then for each set alternates
floor and sparkify runs, each a separate process, and reports medians: wall time, peak RSS,
sparkify's own per-phase times (from `run --format json`), and the ratio to the floor.
Also: an incremental day load on top of the history vs into an empty warehouse, and `--help`.

    python benchmarks/bench.py                 # S (the real sample when ../shared exists) and M
    python benchmarks/bench.py --sets S,M,L --runs 3
    python benchmarks/bench.py --sets M --warehouse postgres   # also through PostgreSQL: its ratio to DuckDB

--warehouse postgres runs each set through PostgreSQL too, into a fresh database made (and dropped)
on the server of SPARKIFY_BENCH_POSTGRES_DSN (else SPARKIFY_POSTGRES_DSN), whose user may CREATE
DATABASE. Its peak RSS is sparkify's own; the server's memory is not in it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".data"
REAL = HERE.parent.parent / "shared" / "data" / "sparkify"
SPARKIFY = [sys.executable, "-m", "sparkify_cli"]

SETS = {
    # name: (events, songs, days, songs per file)
    "S": (8_056, 1_943, 30, 1),
    "M": (1_000_000, 100_000, 90, 1),
    "L": (10_000_000, 1_000_000, 365, 1_000),
}

# A child that runs one command and reports its own wall time and its child's peak RSS (KiB).
MEASURE = """
import resource, subprocess, sys, time, json
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "code": p.returncode, "stdout": p.stdout, "stderr": p.stderr[-2000:]}))
"""

# The floor: DuckDB only reads and parses the same files, typed; no staging, joins or writes.
FLOOR = """
import sys, duckdb
root = sys.argv[1]
con = duckdb.connect()
events = con.execute(f'''SELECT count(*) FROM read_json('{root}/log_data/**/*.json', format='newline_delimited',
    columns={{artist: 'VARCHAR', auth: 'VARCHAR', firstName: 'VARCHAR', gender: 'VARCHAR', itemInSession: 'INTEGER',
    lastName: 'VARCHAR', length: 'DOUBLE', level: 'VARCHAR', location: 'VARCHAR', method: 'VARCHAR', page: 'VARCHAR',
    registration: 'DOUBLE', sessionId: 'INTEGER', song: 'VARCHAR', status: 'INTEGER', ts: 'BIGINT',
    userAgent: 'VARCHAR', userId: 'VARCHAR'}}) WHERE page = 'NextSong' ''').fetchone()[0]
songs = con.execute(f'''SELECT count(*) FROM read_json('{root}/song_data/**/*.json', format='auto',
    columns={{artist_id: 'VARCHAR', artist_latitude: 'DOUBLE', artist_location: 'VARCHAR',
    artist_longitude: 'DOUBLE', artist_name: 'VARCHAR', duration: 'DOUBLE', num_songs: 'INTEGER',
    song_id: 'VARCHAR', title: 'VARCHAR', year: 'INTEGER'}})''').fetchone()[0]
print(events, songs)
"""


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, env=env, check=True)
    result = json.loads(out.stdout)
    if result["code"] != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({result['code']}): {result['stderr']}")
    return result


def dataset(name: str) -> Path:
    if name == "S" and (REAL / "log_data").is_dir():
        return REAL
    events, songs, days, per_file = SETS[name]
    out = CACHE / name
    marker = out / ".complete"
    if marker.exists():
        return out
    shutil.rmtree(out, ignore_errors=True)
    print(f"generating {name}: {events:,} events over {days} days, {songs:,} songs ({per_file}/file) ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [
            *SPARKIFY,
            "generate",
            str(out),
            "--events",
            str(events),
            "--songs",
            str(songs),
            "--days",
            str(days),
            "--songs-per-file",
            str(per_file),
            "--seed",
            "1",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    marker.write_text(f"generated in {time.perf_counter() - started:.1f} s\n")
    return out


def env_for(warehouse: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPARKIFY_")}
    env["SPARKIFY_DUCKDB_PATH"] = str(warehouse)
    return env


def postgres_dsn() -> str:
    dsn = os.environ.get("SPARKIFY_BENCH_POSTGRES_DSN") or os.environ.get("SPARKIFY_POSTGRES_DSN")
    if not dsn:
        raise SystemExit(
            "--warehouse postgres: set SPARKIFY_BENCH_POSTGRES_DSN (a server where you may CREATE DATABASE)"
        )
    return dsn


def postgres_run(root: Path, label: str) -> dict:
    """`sparkify run` into a fresh PostgreSQL database, dropped afterwards."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    admin = postgres_dsn()
    database = f"sparkify_bench_{label.lower()}_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{database}"')
        con.execute(f"CREATE DATABASE \"{database}\" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPARKIFY_")}
    env |= {"SPARKIFY_WAREHOUSE": "postgres", "SPARKIFY_POSTGRES_DSN": make_conninfo(admin, dbname=database)}
    try:
        return measure([*SPARKIFY, "run", "--source", str(root), "--format", "json"], env)
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def bench_set(name: str, runs: int, work: Path, warehouse: str = "duckdb") -> dict:
    root = dataset(name)
    floors, sparks, pgs = [], [], []
    for i in range(runs):
        floors.append(measure([sys.executable, "-c", FLOOR, str(root)]))
        wh = work / f"{name}-{i}.duckdb"
        sparks.append(measure([*SPARKIFY, "run", "--source", str(root), "--format", "json"], env_for(wh)))
        wh.unlink(missing_ok=True)
        if warehouse == "postgres":
            pgs.append(postgres_run(root, f"{name}_{i}"))
    summary = json.loads(sparks[-1]["stdout"])
    phases = {k: statistics.median(json.loads(s["stdout"])["seconds"][k] for s in sparks) for k in summary["seconds"]}
    floor = statistics.median(f["wall"] for f in floors)
    wall = statistics.median(s["wall"] for s in sparks)
    ratios = [s["wall"] / f["wall"] for s, f in zip(sparks, floors, strict=True)]
    postgres = None
    if pgs:
        pg_summary = json.loads(pgs[-1]["stdout"])
        postgres = {
            "run_s": statistics.median(p["wall"] for p in pgs),
            "run_rss_mib": statistics.median(p["rss_kib"] for p in pgs) / 1024,
            "ratio_to_duckdb": statistics.median(p["wall"] / s["wall"] for p, s in zip(pgs, sparks, strict=True)),
            "rows": pg_summary["rows"],
            "same_rows": pg_summary["rows"] == summary["rows"],
            "phases": {
                k: statistics.median(json.loads(p["stdout"])["seconds"][k] for p in pgs) for k in pg_summary["seconds"]
            },
        }
    return {
        "set": name,
        "source": str(root),
        "floor_s": floor,
        "floor_rss_mib": statistics.median(f["rss_kib"] for f in floors) / 1024,
        "run_s": wall,
        "run_rss_mib": statistics.median(s["rss_kib"] for s in sparks) / 1024,
        "ratio": statistics.median(ratios),
        "rows": summary["rows"],
        "staged": summary["events"]["staged"],
        "phases": phases,
        "postgres": postgres,
    }


def bench_incremental(name: str, work: Path) -> dict:
    """Day N on top of days 1..N-1 vs day N into an empty warehouse: the day steps of the load."""
    root = dataset(name)
    days = sorted(p.name[:10] for p in (root / "log_data").rglob("*-events.json"))
    last = days[-1]
    full, empty = work / f"{name}-history.duckdb", work / f"{name}-empty.duckdb"
    subprocess.run(
        [*SPARKIFY, "run", "--source", str(root), "--start", days[0], "--end", days[-2]],
        env=env_for(full),
        check=True,
        capture_output=True,
    )
    out = {}
    for label, wh in (("on history", full), ("empty", empty)):
        subprocess.run(
            [*SPARKIFY, "stage", "--source", str(root), "--date", last, "--songs"],
            env=env_for(wh),
            check=True,
            capture_output=True,
        )
        done = measure([*SPARKIFY, "load", "--source", str(root), "--date", last, "--format", "json"], env_for(wh))
        seconds = json.loads(done["stdout"])["seconds"]
        out[label] = {
            "wall": done["wall"],
            "day_steps": sum(v for k, v in seconds.items() if k in ("load_songplays", "load_time", "load_users")),
        }
    out["ratio"] = out["on history"]["day_steps"] / out["empty"]["day_steps"]
    out["days_before"] = len(days) - 1
    return out


def help_time(runs: int = 5) -> float:
    return statistics.median(measure([*SPARKIFY, "--help"])["wall"] for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="S,M", help="comma-separated: S, M, L (default S,M)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions per set (median is reported)")
    parser.add_argument("--incremental", default="M", help="set for the incremental measurement ('' to skip)")
    parser.add_argument(
        "--warehouse",
        choices=("duckdb", "postgres"),
        default="duckdb",
        help="postgres: also run each set through PostgreSQL (SPARKIFY_BENCH_POSTGRES_DSN), with its ratio to DuckDB",
    )
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        work = Path(tmp)
        results = [
            bench_set(name.strip(), args.runs, work, args.warehouse) for name in args.sets.split(",") if name.strip()
        ]
        incremental = bench_incremental(args.incremental, work) if args.incremental else None
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; medians of {args.runs} runs\n"
    )
    print("| set | events staged | floor | sparkify run | ratio | peak RSS (run) | songplays |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['set']} | {r['staged']:,} | {r['floor_s']:.2f} s | {r['run_s']:.2f} s | {r['ratio']:.2f}x "
            f"| {r['run_rss_mib']:.0f} MiB | {r['rows']['songplays']:,} |"
        )
    print("\nper-phase seconds (sparkify's own timings, medians):")
    for r in results:
        print(f"  {r['set']}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["phases"].items()))
    if any(r["postgres"] for r in results):
        print("\nPostgreSQL (the same sets, same invocation; a measurement, not a target yet):\n")
        print("| set | sparkify run (DuckDB) | sparkify run (PostgreSQL) | ratio | peak RSS (client) | same rows |")
        print("|---|---|---|---|---|---|")
        for r in results:
            pg = r["postgres"]
            print(
                f"| {r['set']} | {r['run_s']:.2f} s | {pg['run_s']:.2f} s | {pg['ratio_to_duckdb']:.2f}x "
                f"| {pg['run_rss_mib']:.0f} MiB | {'yes' if pg['same_rows'] else 'NO: ' + str(pg['rows'])} |"
            )
        for r in results:
            print(
                f"  {r['set']} on PostgreSQL: " + ", ".join(f"{k} {v:.2f}" for k, v in r["postgres"]["phases"].items())
            )
    if incremental:
        print(
            f"\nincremental ({args.incremental}): last day's load steps (songplays, time, users) on top of "
            f"{incremental['days_before']} days: {incremental['on history']['day_steps']:.3f} s, into an empty "
            f"warehouse: {incremental['empty']['day_steps']:.3f} s, ratio {incremental['ratio']:.2f}x "
            f"(whole `load` command: {incremental['on history']['wall']:.2f} s vs {incremental['empty']['wall']:.2f} s)"
        )
    print(f"`sparkify --help`: {help_time():.3f} s")


if __name__ == "__main__":
    main()
