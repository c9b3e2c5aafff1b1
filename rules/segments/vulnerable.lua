-- rules/segments/vulnerable.lua — customers marked vulnerable (illness,
-- bereavement, crisis…). Only a trained person calls, always gently;
-- no automatic SMS, e-mail, robot calls or letters (the guard refuses them).
--
-- Latvia: after the one informative reminder the law wants the formal
-- written notice before any further collection contact, and a notice is a
-- letter, which a vulnerable customer does not get from the machine. So in
-- Latvia the ladder stops after the day-3 call and hands the case to a case
-- manager (a CRM record, not a contact): a person decides whether to pause,
-- agree a plan, or send the notice by hand. Elsewhere no notice is needed
-- and gentle calls go on. A customer whose country is unknown is treated
-- as Latvian (the engine may apply the Latvian profile to them).

local function notice_law(c)    return c.country == nil or c.country == "" or c.country == "LV" end
local function no_notice_law(c) return not notice_law(c) end

-- Prevention only while the bill is not yet overdue: after downtime (or a
-- pass that comes late) a "due on …" message must not go out after the due
-- date, where it would be an uncounted second reminder.
local function not_yet_due(c) return c.days_overdue ~= nil and c.days_overdue <= 0 end

return {
  describe = "Vulnerable: a trained person only, gently",
  hours    = { from = "10:00", to = "18:00" },
  ladder = {
    -- a caring call before the bill is due: can we help?
    { day = -5, channel = "agent", template = "pre_due",          tone = "gentle", when = not_yet_due },
    -- the one informative reminder, by a person
    { day =  3, channel = "agent", template = "call_brief",       tone = "gentle", purpose = "reminder" },
    -- Latvia: a case manager decides what comes next
    { day = 14, channel = "crm",   template = "case_review",      tone = "gentle", when = notice_law },
    -- elsewhere: gentle calls by a person (informative, never formal)
    { day = 14, channel = "agent", template = "instalment_offer", tone = "gentle", purpose = "reminder",
      when = no_notice_law },
    { day = 30, channel = "agent", template = "call_brief",       tone = "gentle", purpose = "reminder",
      when = no_notice_law },
    { day = 60, channel = "agent", template = "call_brief",       tone = "gentle", purpose = "reminder",
      when = no_notice_law },
  },

  -- Promise to pay not yet due: no calls until then.
  decide = function(c, ctx)
    if c.promises.pending and (c.promises.due == nil or c.promises.due >= ctx.today) then
      return { action = "wait", reason = "promise to pay pending" }
    end
    return nil
  end,
}
