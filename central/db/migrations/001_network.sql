-- The charging points Central knows, and the state each was last seen in.
create table cps (
  id text primary key,
  location text not null default '',
  price_per_kwh numeric(10, 4) not null,
  secret_hash text not null,
  -- the operator's order (stop/resume), kept across restarts
  stopped boolean not null default false,
  -- the state shown to people, kept current (BRIEF §2)
  state text not null default 'disconnected',
  enrolled_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- One row per authorized supply; its ticket is the row once ended.
create table sessions (
  id text primary key,
  cp_id text not null,
  driver_id text not null,
  -- id of the request message that asked for it: a redelivered request changes nothing
  request_id text not null unique,
  status text not null check (status in ('authorized', 'charging', 'ended', 'expired')),
  price_per_kwh numeric(10, 4) not null,
  authorized_at timestamptz not null default now(),
  started_at timestamptz,
  ended_at timestamptz,
  kwh double precision not null default 0,
  eur double precision not null default 0,
  kw double precision not null default 0,
  partial boolean not null default false,
  end_reason text,
  -- the ticket was published to the driver (an outbox: unsent tickets are sent at start-up)
  ticket_sent_at timestamptz,
  -- the driver confirmed it got the ticket
  ticket_acked_at timestamptz,
  updated_at timestamptz not null default now()
);
-- at most one live supply per CP and per driver, whatever the number of Centrals
create unique index sessions_one_live_per_cp on sessions (cp_id)
  where status in ('authorized', 'charging');
create unique index sessions_one_live_per_driver on sessions (driver_id)
  where status in ('authorized', 'charging');
create index sessions_by_driver on sessions (driver_id, authorized_at desc);
create index sessions_by_cp on sessions (cp_id, authorized_at desc);

-- Every authentication, state change, operator order and incident (BRIEF §5). Never secrets.
create table audit (
  id bigserial primary key,
  at timestamptz not null default now(),
  source text not null default '',
  actor text not null default '',
  action text not null,
  result text not null default '',
  detail text not null default ''
);
create index audit_by_time on audit (at desc);
