-- 010_agent_tasks.sql — the agent queue: a task for a person instead of a
-- message. A task comes from a decision for channel "agent" (contact_id set),
-- from an inbound reply the engine could not classify, or from a key press
-- "talk to a person" in a call. Agents take the task with the highest
-- priority (ties: oldest first); a taken task comes back to the queue when
-- its lease runs out, when the agent hands it back, or when its snooze ends.
CREATE TABLE agent_tasks (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    contact_id    INTEGER UNIQUE REFERENCES contacts (id),   -- NULL unless from a decision
    source        TEXT    NOT NULL CHECK (source IN ('rules', 'reply', 'voice')),
    reason        TEXT    NOT NULL DEFAULT '',
    priority      INTEGER NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('open', 'taken', 'done')),
    agent         TEXT,                                      -- who holds or closed it
    taken_until   INTEGER,                                   -- lease end while taken
    snoozed_until INTEGER NOT NULL DEFAULT 0,
    outcome       TEXT,
    note          TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX agent_tasks_queue ON agent_tasks (state, priority DESC, id);
CREATE INDEX agent_tasks_customer ON agent_tasks (customer_id, state);
