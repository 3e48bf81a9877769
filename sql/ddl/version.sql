-- Which version of sparkify's tables this schema holds (services/pipeline/schema.py upgrades older ones).
CREATE TABLE IF NOT EXISTS {{ schema }}.sparkify_schema (
    version    INTEGER NOT NULL,
    applied_at TIMESTAMP NOT NULL
){{ m.table_options('staging') }};
