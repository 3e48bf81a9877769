{#- PostgreSQL's overrides of macros/default.sql: none. default.sql is standard SQL as PostgreSQL
    speaks it, so every shared template (ddl, load, checks, report) runs here as it is. -#}
