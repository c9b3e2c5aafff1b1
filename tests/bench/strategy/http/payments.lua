-- tests/bench/strategy/http/payments.lua — wrk script for compare.sh:
-- POST /v1/payments with a new payment each request (1 cent against an
-- invoice large enough never to be paid off), so every request is a real
-- insert, not an idempotent replay. Each wrk thread numbers its own
-- payments "W<thread>-<n>", so threads never collide.
--   wrk -s payments.lua http://127.0.0.1:PORT -H "Authorization: Bearer ..."

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local sent = 0

-- wrk.headers already holds the command line's -H headers (the token).
function init(args)
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  local body = string.format(
    '{"external_id":"W%d-%d","customer_id":"C1","currency":"EUR","amount_minor":1,"paid_on":"2026-12-01"}',
    thread_number, sent)
  return wrk.format("POST", "/v1/payments", nil, body)
end
