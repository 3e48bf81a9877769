"""The pipeline: plan -> stage -> load -> ledger, written once for every warehouse (run.py), plus
the schema, the song-match rule and --dry-run."""
