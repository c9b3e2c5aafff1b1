-- 012_webhook_claims.sql — several engines deliver webhooks from one store:
-- a delivery in flight is claimed by the store connection sending it
-- (claimed_by) until lease_until (wall clock, milliseconds; lease_seconds of
-- the config from the claim). Another engine takes it again only once that
-- lease has ended (its engine died). Deliveries that were "sending" under
-- the earlier rule ("sent again at the next start") are pending again.
ALTER TABLE webhook_deliveries ADD COLUMN lease_until INTEGER;
ALTER TABLE webhook_deliveries ADD COLUMN claimed_by TEXT;
UPDATE webhook_deliveries SET state = 'pending' WHERE state = 'sending';
