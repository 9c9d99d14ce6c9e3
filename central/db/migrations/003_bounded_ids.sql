-- Ids are at most 100 characters (ours are UUIDs) and reasons at most 200: a record that passes
-- the checks at the edge but carries more is refused here, and set aside (dead letter), never
-- retried. NOT VALID: rows already there are left as they are.
alter table sessions add constraint sessions_id_length
  check (char_length(id) <= 100 and char_length(request_id) <= 100) not valid;
alter table sessions add constraint sessions_end_reason_length
  check (end_reason is null or char_length(end_reason) <= 200) not valid;
