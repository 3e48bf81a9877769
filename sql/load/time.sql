-- One row per distinct start_time of songplays (weekday counts from Sunday = 0): the times the
-- batch touched are derived again, so a time no play has any more goes too.
DELETE FROM {{ schema }}."time"
WHERE start_time IN (SELECT start_time FROM changed_times)
  AND start_time NOT IN (SELECT start_time FROM {{ schema }}.songplays);

INSERT INTO {{ schema }}."time" (start_time, hour, day, week, month, year, weekday)
SELECT start_time,
       EXTRACT(HOUR FROM start_time), EXTRACT(DAY FROM start_time), EXTRACT(WEEK FROM start_time),
       EXTRACT(MONTH FROM start_time), EXTRACT(YEAR FROM start_time), EXTRACT(DOW FROM start_time)
FROM (
    SELECT DISTINCT p.start_time
    FROM {{ schema }}.songplays p
    WHERE p.start_time IN (SELECT start_time FROM changed_times)
) b
WHERE NOT EXISTS (SELECT 1 FROM {{ schema }}."time" t WHERE t.start_time = b.start_time);

DROP TABLE IF EXISTS changed_times;
