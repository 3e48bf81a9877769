#!/usr/bin/env python3
"""Benchmark `sparkify run` against two yardsticks on the same files, in the same invocation.

- The floor: DuckDB only reading and parsing the files: the events with a typed `read_json`
  (18 typed columns) filtered on page = 'NextSong', the song files with `read_json_objects` and
  `json_transform` to the typed song structure (the fastest way DuckDB reads many tiny files).
- The lean load: the DuckDB script a data engineer could write instead (typed `read_json`, only the
  NextSong rows staged, no keys, no validation, no lineage, `INSERT ... SELECT` into the five star
  tables). A yardstick only: it does far less than sparkify (see README, "Benchmarks").

Generates the data sets once (cached in benchmarks/.data/), then for each set alternates floor,
lean load and `sparkify run` into a fresh warehouse, each a separate process, and reports medians:
wall time, CPU time (user + system: steadier than wall time on a shared machine), peak RSS,
sparkify's own per-phase seconds (from `run --format json`) and the ratios to both yardsticks.
Also: an incremental day load on top of the history vs into an empty warehouse, and `--help`.

    python benchmarks/bench.py                 # S (the real sample when ../shared exists) and M
    python benchmarks/bench.py --sets S,M,L --runs 3
    python benchmarks/bench.py --sets M --warehouse postgres   # also through PostgreSQL: its ratio to DuckDB
    python benchmarks/bench.py --compare-exact S,M   # star tables with the fast path on vs off, row by row

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

# A child that runs one command and reports its own wall time, its child's CPU time (user + system)
# and peak RSS (KiB).
MEASURE = """
import resource, subprocess, sys, time, json
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": r.ru_utime + r.ru_stime, "rss_kib": r.ru_maxrss,
                  "code": p.returncode, "stdout": p.stdout, "stderr": p.stderr[-2000:]}))
"""

EVENT_COLUMNS = (
    "{artist: 'VARCHAR', auth: 'VARCHAR', firstName: 'VARCHAR', gender: 'VARCHAR', itemInSession: 'INTEGER', "
    "lastName: 'VARCHAR', length: 'DOUBLE', level: 'VARCHAR', location: 'VARCHAR', method: 'VARCHAR', "
    "page: 'VARCHAR', registration: 'DOUBLE', sessionId: 'INTEGER', song: 'VARCHAR', status: 'INTEGER', "
    "ts: 'BIGINT', userAgent: 'VARCHAR', userId: 'VARCHAR'}"
)
SONG_STRUCTURE = (
    '{"artist_id": "VARCHAR", "artist_latitude": "DOUBLE", "artist_location": "VARCHAR", '
    '"artist_longitude": "DOUBLE", "artist_name": "VARCHAR", "duration": "DOUBLE", "num_songs": "INTEGER", '
    '"song_id": "VARCHAR", "title": "VARCHAR", "year": "INTEGER"}'
)

# The floor: DuckDB only reads and parses the same files, typed; no staging, joins or writes.
FLOOR = f"""
import sys, duckdb
root = sys.argv[1]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
events = con.execute(\"\"\"SELECT count(*) FROM read_json(?, format='newline_delimited',
    columns={EVENT_COLUMNS}) WHERE page = 'NextSong'\"\"\", [root + '/log_data/**/*.json']).fetchone()[0]
songs = con.execute(\"\"\"SELECT count(*) FROM (SELECT json_transform(json, '{SONG_STRUCTURE}') AS s
    FROM read_json_objects(?, format='auto')) WHERE s IS NOT NULL\"\"\", [root + '/song_data/**/*.json']).fetchone()[0]
print(events, songs)
"""

# The lean load: what a hand-written DuckDB script would do, into a fresh DuckDB file (a yardstick).
LEAN = f"""
import sys, duckdb
root, db = sys.argv[1], sys.argv[2]
con = duckdb.connect(db)
con.execute("SET enable_progress_bar = false")
con.execute("SET preserve_insertion_order = false")  # the usual bulk-load setting: many files load far faster
con.execute(\"\"\"
CREATE SCHEMA songs;
CREATE TABLE songs.songplays (songplay_id VARCHAR, start_time TIMESTAMP, user_id VARCHAR, level VARCHAR,
    song_id VARCHAR, artist_id VARCHAR, session_id INTEGER, location VARCHAR, user_agent VARCHAR);
CREATE TABLE songs.users (user_id VARCHAR, first_name VARCHAR, last_name VARCHAR, gender VARCHAR, level VARCHAR);
CREATE TABLE songs.songs (song_id VARCHAR, title VARCHAR, artist_id VARCHAR, year INTEGER, duration DOUBLE);
CREATE TABLE songs.artists (artist_id VARCHAR, name VARCHAR, location VARCHAR, latitude DOUBLE, longitude DOUBLE);
CREATE TABLE songs.time (start_time TIMESTAMP, hour INTEGER, day INTEGER, week INTEGER, month INTEGER,
    year INTEGER, weekday INTEGER);
\"\"\")
con.execute(\"\"\"CREATE TEMP TABLE events AS SELECT * FROM read_json(?, format='newline_delimited',
    columns={EVENT_COLUMNS}) WHERE page = 'NextSong'\"\"\", [root + '/log_data/**/*.json'])
con.execute(\"\"\"CREATE TEMP TABLE catalog AS SELECT unnest(json_transform(json, '{SONG_STRUCTURE}'))
    FROM read_json_objects(?, format='auto')\"\"\", [root + '/song_data/**/*.json'])
con.execute(\"\"\"
INSERT INTO songs.songs SELECT DISTINCT ON (song_id) song_id, title, artist_id, year, duration FROM catalog;
INSERT INTO songs.artists SELECT DISTINCT ON (artist_id) artist_id, artist_name, artist_location,
    artist_latitude, artist_longitude FROM catalog;
INSERT INTO songs.songplays
SELECT md5(e.userId || '|' || e.sessionId || '|' || e.itemInSession || '|' || e.ts),
       make_timestamp((e.ts // 1000) * 1000000), e.userId, e.level, c.song_id, c.artist_id, e.sessionId,
       e.location, e.userAgent
FROM events e LEFT JOIN catalog c ON c.title = e.song AND c.artist_name = e.artist AND c.duration = e.length;
INSERT INTO songs.users SELECT DISTINCT ON (userId) userId, firstName, lastName, gender, level
    FROM events WHERE userId <> '' ORDER BY userId, ts DESC;
INSERT INTO songs.time SELECT DISTINCT start_time, hour(start_time), day(start_time), week(start_time),
    month(start_time), year(start_time), dayofweek(start_time) FROM songs.songplays;
\"\"\")
print(con.execute("SELECT count(*) FROM songs.songplays").fetchone()[0])
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


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_set(name: str, runs: int, work: Path, warehouse: str = "duckdb") -> dict:
    root = dataset(name)
    floors, leans, sparks, pgs = [], [], [], []
    for i in range(runs):
        floors.append(measure([sys.executable, "-c", FLOOR, str(root)]))
        lean_db = work / f"{name}-{i}-lean.duckdb"
        leans.append(measure([sys.executable, "-c", LEAN, str(root), str(lean_db)]))
        lean_db.unlink(missing_ok=True)
        wh = work / f"{name}-{i}.duckdb"
        sparks.append(measure([*SPARKIFY, "run", "--source", str(root), "--format", "json"], env_for(wh)))
        wh.unlink(missing_ok=True)
        if warehouse == "postgres":
            pgs.append(postgres_run(root, f"{name}_{i}"))
    summary = json.loads(sparks[-1]["stdout"])
    phases = {k: median([json.loads(s["stdout"])["seconds"].get(k, 0.0) for s in sparks]) for k in summary["seconds"]}
    postgres = None
    if pgs:
        pg_summary = json.loads(pgs[-1]["stdout"])
        postgres = {
            "run_s": median([p["wall"] for p in pgs]),
            "run_rss_mib": median([p["rss_kib"] for p in pgs]) / 1024,
            "ratio_to_duckdb": median([p["wall"] / s["wall"] for p, s in zip(pgs, sparks, strict=True)]),
            "rows": pg_summary["rows"],
            "same_rows": pg_summary["rows"] == summary["rows"],
            "phases": {k: median([json.loads(p["stdout"])["seconds"][k] for p in pgs]) for k in pg_summary["seconds"]},
        }
    return {
        "set": name,
        "source": str(root),
        "runs": {"floor": floors, "lean": leans, "sparkify": sparks},
        "floor_s": median([f["wall"] for f in floors]),
        "floor_cpu": median([f["cpu"] for f in floors]),
        "floor_rss_mib": median([f["rss_kib"] for f in floors]) / 1024,
        "lean_s": median([f["wall"] for f in leans]),
        "lean_cpu": median([f["cpu"] for f in leans]),
        "lean_rss_mib": median([f["rss_kib"] for f in leans]) / 1024,
        "run_s": median([s["wall"] for s in sparks]),
        "run_cpu": median([s["cpu"] for s in sparks]),
        "run_rss_mib": median([s["rss_kib"] for s in sparks]) / 1024,
        # ratios of each run to the yardsticks measured next to it, then their median
        "ratio_floor": median([s["wall"] / f["wall"] for s, f in zip(sparks, floors, strict=True)]),
        "ratio_lean": median([s["wall"] / f["wall"] for s, f in zip(sparks, leans, strict=True)]),
        "cpu_ratio_floor": median([s["cpu"] / f["cpu"] for s, f in zip(sparks, floors, strict=True)]),
        "cpu_ratio_lean": median([s["cpu"] / f["cpu"] for s, f in zip(sparks, leans, strict=True)]),
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


# `sparkify` with the fast path off: every line through the exact validator (what tests use).
EXACT = [
    sys.executable,
    "-c",
    "import sys; from sparkify_cli.warehouse.duckdb import staging; staging.FAST_PATH = False; "
    "sys.argv[0] = 'sparkify'; from sparkify_cli.cli import main; main()",
]
STAR = {
    "songplays": "songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent",
    "users": "user_id, first_name, last_name, gender, level",
    "songs": "song_id, title, artist_id, year, duration",
    "artists": "artist_id, name, location, latitude, longitude",
    "time": "start_time, hour, day, week, month, year, weekday",
    "rejects": "source_file, line_no, col, reason, raw_line",
}


def compare_exact(name: str, work: Path) -> dict:
    """`sparkify run` with the fast path on and off into two warehouses: their star tables (and
    rejects) compared row by row, in both directions (EXCEPT ALL keeps duplicates)."""
    import duckdb

    root = dataset(name)
    out: dict = {"set": name}
    paths = {}
    for label, cmd in (("fast", SPARKIFY), ("exact", EXACT)):
        wh = work / f"{name}-{label}.duckdb"
        done = measure([*cmd, "run", "--source", str(root), "--format", "json"], env_for(wh))
        out[label] = {
            "wall": done["wall"],
            "rss_mib": done["rss_kib"] / 1024,
            "rows": json.loads(done["stdout"])["rows"],
        }
        paths[label] = wh
    con = duckdb.connect()
    con.execute(f"ATTACH '{paths['fast']}' AS fast (READ_ONLY)")
    con.execute(f"ATTACH '{paths['exact']}' AS exact (READ_ONLY)")
    tables = {}
    for table, columns in STAR.items():
        fast, exact = (f'SELECT {columns} FROM {db}.songs."{table}"' for db in ("fast", "exact"))
        count = con.execute(f'SELECT count(*) FROM fast.songs."{table}"').fetchone()
        only_fast = con.execute(f"SELECT count(*) FROM ({fast} EXCEPT ALL {exact})").fetchone()
        only_exact = con.execute(f"SELECT count(*) FROM ({exact} EXCEPT ALL {fast})").fetchone()
        tables[table] = {"rows": count[0] if count else 0, "only_fast": only_fast[0], "only_exact": only_exact[0]}
    con.close()
    for wh in paths.values():
        wh.unlink(missing_ok=True)
    out["tables"] = tables
    out["identical"] = all(t["only_fast"] == 0 and t["only_exact"] == 0 for t in tables.values())
    return out


def duckdb_version() -> str:
    code = "import duckdb; print(duckdb.__version__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return out.stdout.strip()


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
    parser.add_argument(
        "--compare-exact",
        metavar="SETS",
        help="only compare: star tables with the fast path on vs off (e.g. S,M), row by row; exit 1 if they differ",
    )
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    if args.compare_exact:
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            found = [compare_exact(n.strip(), Path(tmp)) for n in args.compare_exact.split(",") if n.strip()]
        for r in found:
            print(
                f"{r['set']}: fast path {r['fast']['wall']:.1f} s, exact path {r['exact']['wall']:.1f} s; "
                f"{'identical' if r['identical'] else 'DIFFERENT'}"
            )
            for table, t in r["tables"].items():
                print(
                    f"  {table}: {t['rows']:,} rows, only with fast path {t['only_fast']}, only exact {t['only_exact']}"
                )
        raise SystemExit(0 if all(r["identical"] for r in found) else 1)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        work = Path(tmp)
        results = [
            bench_set(name.strip(), args.runs, work, args.warehouse) for name in args.sets.split(",") if name.strip()
        ]
        incremental = bench_incremental(args.incremental, work) if args.incremental else None
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"DuckDB {duckdb_version()}, {platform.system()} {platform.release()}; medians of {args.runs} runs; "
        f"load average {load_before} before, {os.getloadavg()[0]:.2f} after\n"
    )
    print(
        "| set | events staged | floor | lean load | sparkify run | ratio to floor | ratio to lean "
        "| CPU s (floor / lean / run) | peak RSS (floor / lean / run) | songplays |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['set']} | {r['staged']:,} | {r['floor_s']:.2f} s | {r['lean_s']:.2f} s | {r['run_s']:.2f} s "
            f"| {r['ratio_floor']:.2f}x | {r['ratio_lean']:.2f}x "
            f"| {r['floor_cpu']:.1f} / {r['lean_cpu']:.1f} / {r['run_cpu']:.1f} "
            f"| {r['floor_rss_mib']:.0f} / {r['lean_rss_mib']:.0f} / {r['run_rss_mib']:.0f} MiB "
            f"| {r['rows']['songplays']:,} |"
        )
    print("\nper-phase seconds (sparkify's own timings, medians):")
    for r in results:
        print(f"  {r['set']}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["phases"].items()))
    print("\nevery run (wall s / CPU s):")
    for r in results:
        for kind, measured in r["runs"].items():
            print(f"  {r['set']} {kind}: " + ", ".join(f"{m['wall']:.2f}/{m['cpu']:.1f}" for m in measured))
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
