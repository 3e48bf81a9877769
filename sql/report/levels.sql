{% import 'report/_scope.sql' as scope with context %}
-- Free vs paid: plays at each level, and users by the level of their last play in the report's days
-- (a user whose level changed counts once, at the level they had last).
SELECT l.level, l.plays, COALESCE(u.users, 0) AS users
FROM (
    SELECT p.level, COUNT(*) AS plays
    FROM {{ schema }}.songplays p
    WHERE {{ scope.during('p.start_time') }}
    GROUP BY p.level
) l
LEFT JOIN (
    SELECT level, COUNT(*) AS users
    FROM (
        SELECT p.user_id, p.level,
               ROW_NUMBER() OVER (PARTITION BY p.user_id ORDER BY p.start_time DESC, p.level DESC) AS rn
        FROM {{ schema }}.songplays p
        WHERE {{ scope.during('p.start_time') }}
    ) last_play
    WHERE rn = 1
    GROUP BY level
) u ON u.level = l.level
ORDER BY l.level
