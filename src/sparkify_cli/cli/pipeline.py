"""Pipeline commands: schema, stage, load, check, run, query, demo, generate, config."""
