-- Version 3 -> 4: the run ledger names the source each run read, so `sparkify status` and the
-- report know where the loaded data came from without being told again. Older runs keep NULL. A
-- schema older than version 2 has no ledger yet: ddl/ledger.sql creates it whole, with the column.
{% if 'runs' in present %}
ALTER TABLE {{ schema }}.runs ADD COLUMN source {{ m.text(1024) }};
{% endif %}
