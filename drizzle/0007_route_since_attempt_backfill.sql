-- Custom SQL migration file, put your code below! --
-- Rows already on the fallback have been on the relay since the attempt it took over.
UPDATE `deliveries` SET `route_since_attempt` = `fallback_at_attempt` WHERE `route` = 'system-fallback' AND `fallback_at_attempt` IS NOT NULL;
