-- A user's row comes from their latest event overall (any page), whatever order days load in:
-- user_latest keeps that event, and the batch replaces it only with a later one.
DROP TABLE IF EXISTS batch_users;

CREATE TEMP TABLE batch_users AS
SELECT user_id, ts, item_in_session, first_name, last_name, gender, level
FROM (
    SELECT user_id, ts, item_in_session, first_name, last_name, gender, level,
           ROW_NUMBER() OVER (
               PARTITION BY user_id
               ORDER BY ts DESC, item_in_session DESC, level, first_name, last_name, gender
           ) AS rn
    FROM {{ schema }}.staging_events
    WHERE user_id <> ''
      AND source_file IN (SELECT source_file FROM {{ schema }}.load_batch)
) e
WHERE rn = 1;

DELETE FROM {{ schema }}.user_latest
WHERE user_id IN (
    SELECT b.user_id
    FROM batch_users b
    JOIN {{ schema }}.user_latest l ON l.user_id = b.user_id
    WHERE b.ts > l.ts OR (b.ts = l.ts AND b.item_in_session >= l.item_in_session)
);

INSERT INTO {{ schema }}.user_latest (user_id, ts, item_in_session, first_name, last_name, gender, level)
SELECT user_id, ts, item_in_session, first_name, last_name, gender, level
FROM batch_users b
WHERE NOT EXISTS (SELECT 1 FROM {{ schema }}.user_latest l WHERE l.user_id = b.user_id);

DELETE FROM {{ schema }}.users
WHERE user_id IN (SELECT user_id FROM batch_users);

INSERT INTO {{ schema }}.users (user_id, first_name, last_name, gender, level)
SELECT user_id, first_name, last_name, gender, level
FROM {{ schema }}.user_latest
WHERE user_id IN (SELECT user_id FROM batch_users);

DROP TABLE IF EXISTS batch_users;
