-- tests/bench/strategy/lua/bench.lua — the reference strategy
-- (/work/shared/bench/strategy.md) as a plain Lua function over prebuilt
-- tables: what a user would write without dunningd. Runs unchanged under
-- Lua 5.4 and LuaJIT (tests/bench/compare.sh runs both).
--
--   lua5.4 bench.lua CSV [RUNS]      luajit bench.lua CSV [RUNS]   (RUNS default 5)
--
-- Reading the CSV into tables is not timed. One pass over 200 000 customers
-- is too short to time well, so each run repeats whole passes until at
-- least MIN_SECONDS have gone by. Output: the same lines as
-- bench_strategy.c ("rate N", "median N", "count ACTION TONE TEMPLATE LANGUAGE N").

local MIN_SECONDS = 0.3

local function outcome(action, tone, template)
  return { action = action, tone = tone, template = template }
end

local WAIT        = outcome("wait",  "none",     "none")
local PRE_DUE_SMS = outcome("sms",   "friendly", "pre_due")
local FIRST_EMAIL = outcome("email", "friendly", "overdue_1")
local FIRST_SMS   = outcome("sms",   "friendly", "overdue_1")
local SECOND = {
  voice = { firm = outcome("voice", "firm", "overdue_2"), neutral = outcome("voice", "neutral", "overdue_2") },
  chat  = { firm = outcome("chat",  "firm", "overdue_2"), neutral = outcome("chat",  "neutral", "overdue_2") },
  sms   = { firm = outcome("sms",   "firm", "overdue_2"), neutral = outcome("sms",   "neutral", "overdue_2") },
}
local THIRD_AGENT = outcome("agent", "firm",     "overdue_3")
local THIRD_SMS   = outcome("sms",   "firm",     "overdue_3")
local FINAL_AGENT = outcome("agent", "urgent",   "final")
local FINAL_SMS   = outcome("sms",   "firm",     "final")

-- The seven rules, first that applies decides. Returns the outcome and the
-- language of the contact.
local function decide(c)
  local language = c.language
  if language == "" then language = "lv" end
  if c.promise_pending then return WAIT, language end                     -- rule 1
  local days = c.days_overdue
  if days >= -3 and days <= -1 then                                      -- rule 2
    if c.persona ~= "invisible" then return PRE_DUE_SMS, language end
    return WAIT, language
  end
  if days >= 1 and days <= 6 then                                        -- rule 3
    if c.has_email then return FIRST_EMAIL, language end
    return FIRST_SMS, language
  end
  if days >= 7 and days <= 13 then                                       -- rule 4
    local age, channel = c.age, "sms"
    if c.has_phone and age >= 60 then
      channel = "voice"
    elseif c.has_chat and age < 35 then
      channel = "chat"
    end
    return SECOND[channel][c.broken_promises > 0 and "firm" or "neutral"], language
  end
  if days >= 14 and days <= 29 then                                      -- rule 5
    if c.persona == "fighter" then return THIRD_AGENT, language end
    return THIRD_SMS, language
  end
  if days >= 30 then                                                     -- rule 6
    if c.balance_cents >= 5000 then return FINAL_AGENT, language end
    return FINAL_SMS, language
  end
  return WAIT, language                                                  -- rule 7
end

local function load(path)
  local customers = {}
  local first = true
  for line in io.lines(path) do
    line = line:gsub("\r$", "")
    if first then
      assert(line:find("^id,days_overdue,"), path .. ": not the strategy's CSV")
      first = false
    elseif line ~= "" then
      local id, days, balance, persona, language, age, promise, broken, phone, email, chat =
        line:match("^(%d+),(%-?%d+),(%d+),(%a+),(%a*),(%d+),([01]),(%d+),([01]),([01]),([01])$")
      assert(id, path .. ": malformed row: " .. line)
      customers[#customers + 1] = {
        days_overdue = tonumber(days), balance_cents = tonumber(balance), persona = persona,
        language = language, age = tonumber(age), promise_pending = promise == "1",
        broken_promises = tonumber(broken), has_phone = phone == "1", has_email = email == "1",
        has_chat = chat == "1",
      }
    end
  end
  return customers
end

local function run_once(customers, outcomes, languages)
  local n, passes = #customers, 0
  local begin = os.clock()
  local elapsed
  repeat
    for i = 1, n do
      outcomes[i], languages[i] = decide(customers[i])
    end
    passes = passes + 1
    elapsed = os.clock() - begin
  until elapsed >= MIN_SECONDS
  return n * passes / elapsed
end

local function count(outcomes, languages)
  local counts, keys = {}, {}
  for i = 1, #outcomes do
    local o = outcomes[i]
    local key = o.action .. " " .. o.tone .. " " .. o.template .. " " .. languages[i]
    if not counts[key] then keys[#keys + 1] = key; counts[key] = 0 end
    counts[key] = counts[key] + 1
  end
  table.sort(keys)
  local lines = {}
  for _, key in ipairs(keys) do lines[#lines + 1] = "count " .. key .. " " .. counts[key] end
  return table.concat(lines, "\n")
end

local path, runs = arg[1], tonumber(arg[2] or "5")
if not path or not runs or runs < 1 then
  io.stderr:write("usage: lua5.4 bench.lua CSV [RUNS]\n")
  os.exit(2)
end
local customers = load(path)
print(string.format("# %s, %d customers", jit and jit.version or _VERSION, #customers))
local outcomes, languages, rates, first = {}, {}, {}, nil
for run = 1, runs do
  rates[run] = run_once(customers, outcomes, languages)
  local counted = count(outcomes, languages)
  if first == nil then
    first = counted
  elseif counted ~= first then
    io.stderr:write("bench.lua: run " .. run .. " decided differently from run 1\n")
    os.exit(1)
  end
end
for _, rate in ipairs(rates) do print(string.format("rate %.0f", rate)) end
table.sort(rates)
local mid = math.floor(#rates / 2) + 1
local median = #rates % 2 == 1 and rates[mid] or (rates[mid - 1] + rates[mid]) / 2
print(string.format("median %.0f", median))
print(first)
