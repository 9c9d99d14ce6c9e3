-- A ticket is claimed by the instance about to publish it: no two instances (or two sweeps of
-- one) send it at once. A claim older than its lease may be taken over (its sender died).
alter table sessions add column ticket_claimed_by text;
alter table sessions add column ticket_claimed_at timestamptz;
create index sessions_unsent on sessions (ended_at) where status = 'ended' and ticket_sent_at is null;
