-- A user's row comes from their latest event (any page) in the loaded files, whatever order days
-- load in: user_file_latest keeps each user's latest event per file, a file's load replaces its
-- rows there, and every user it touched is derived again (a user no file has any more goes).
{% set in_batch = "source_file IN (SELECT source_file FROM " ~ schema ~ ".load_batch)" %}
{% set latest = "ts DESC, item_in_session DESC, level, first_name, last_name, gender" %}
DROP TABLE IF EXISTS batch_users;

CREATE TEMP TABLE batch_users AS
SELECT user_id, source_file, ts, item_in_session, first_name, last_name, gender, level
FROM (
    SELECT user_id, source_file, ts, item_in_session, first_name, last_name, gender, level,
           ROW_NUMBER() OVER (PARTITION BY user_id, source_file ORDER BY {{ latest }}) AS rn
    FROM {{ schema }}.staging_events
    WHERE user_id <> ''
      AND {{ in_batch }}
) e
WHERE rn = 1;

DROP TABLE IF EXISTS changed_users;

CREATE TEMP TABLE changed_users AS
SELECT user_id FROM {{ schema }}.user_file_latest WHERE {{ in_batch }}
UNION
SELECT user_id FROM batch_users;

DELETE FROM {{ schema }}.user_file_latest
WHERE {{ in_batch }};

INSERT INTO {{ schema }}.user_file_latest
    (user_id, source_file, ts, item_in_session, first_name, last_name, gender, level)
SELECT user_id, source_file, ts, item_in_session, first_name, last_name, gender, level
FROM batch_users;

DELETE FROM {{ schema }}.users
WHERE user_id IN (SELECT user_id FROM changed_users);

INSERT INTO {{ schema }}.users (user_id, first_name, last_name, gender, level)
SELECT user_id, first_name, last_name, gender, level
FROM (
    SELECT user_id, first_name, last_name, gender, level,
           ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY {{ latest }}) AS rn
    FROM {{ schema }}.user_file_latest
    WHERE user_id IN (SELECT user_id FROM changed_users)
) u
WHERE rn = 1;

DROP TABLE IF EXISTS batch_users;

DROP TABLE IF EXISTS changed_users;
