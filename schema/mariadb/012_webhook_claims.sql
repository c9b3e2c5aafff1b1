-- 012_webhook_claims.sql — mirrors schema/sqlite/012_webhook_claims.sql:
-- a delivery in flight is claimed by the store connection sending it
-- (claimed_by) until lease_until (wall clock, milliseconds); another
-- instance takes it again only once that lease has ended (its instance
-- died). Deliveries "sending" without a lease are pending again.
ALTER TABLE webhook_deliveries
    ADD COLUMN IF NOT EXISTS lease_until BIGINT      NULL,
    ADD COLUMN IF NOT EXISTS claimed_by  VARCHAR(32) NULL;
UPDATE webhook_deliveries SET state = 'pending' WHERE state = 'sending' AND lease_until IS NULL;
