-- 010_agent_tasks.sql — mirrors schema/sqlite/010_agent_tasks.sql: the
-- agent queue, a task for a person instead of a message. A task comes from
-- a decision for channel "agent" (contact_id set), from an inbound reply the
-- engine could not classify, or from a key press "talk to a person" in a
-- call. Agents take the task with the highest priority (ties: oldest
-- first); a taken task comes back to the queue when its lease runs out,
-- when the agent hands it back, or when its snooze ends. The queue index
-- is in taking order (priority descending), so a take reads and locks only
-- the row it takes (SELECT ... FOR UPDATE SKIP LOCKED).
CREATE TABLE IF NOT EXISTS agent_tasks (
    id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id   BIGINT       NOT NULL,
    contact_id    BIGINT       NULL,                        -- NULL unless from a decision
    source        VARCHAR(8)   NOT NULL CHECK (source IN ('rules', 'reply', 'voice')),
    reason        VARCHAR(255) NOT NULL DEFAULT '',
    priority      INT          NOT NULL,
    state         VARCHAR(8)   NOT NULL CHECK (state IN ('open', 'taken', 'done')),
    agent         VARCHAR(47)  NULL,                        -- who holds or closed it
    taken_until   BIGINT       NULL,                        -- lease end while taken
    snoozed_until BIGINT       NOT NULL DEFAULT 0,
    outcome       VARCHAR(15)  NULL,
    note          TEXT         NULL,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    UNIQUE KEY agent_tasks_contact (contact_id),
    KEY agent_tasks_queue (state, priority DESC, id),
    KEY agent_tasks_customer (customer_id, state),
    CONSTRAINT agent_tasks_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT agent_tasks_contact_fk FOREIGN KEY (contact_id) REFERENCES contacts (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
