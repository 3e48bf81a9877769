-- One row per distinct start_time of songplays; weekday counts from Sunday = 0.
INSERT INTO {{ schema }}."time" (start_time, hour, day, week, month, year, weekday)
SELECT start_time,
       EXTRACT(HOUR FROM start_time), EXTRACT(DAY FROM start_time), EXTRACT(WEEK FROM start_time),
       EXTRACT(MONTH FROM start_time), EXTRACT(YEAR FROM start_time), EXTRACT(DOW FROM start_time)
FROM (SELECT DISTINCT start_time FROM batch_plays) b
WHERE NOT EXISTS (SELECT 1 FROM {{ schema }}."time" t WHERE t.start_time = b.start_time);

DROP TABLE IF EXISTS batch_plays;
