-- rules/segments/vulnerable.lua — customers marked vulnerable (illness,
-- bereavement, crisis…). Only a trained person calls, always gently;
-- no automatic SMS, e-mail, robot calls or letters (the guard refuses them).
--
-- Latvia: after the one informative reminder the law wants the formal
-- written notice before any further collection contact, and a notice is a
-- letter, which a vulnerable customer does not get from the machine. So in
-- Latvia the ladder hands the case to a case manager after the day-3 call
-- (a CRM record on day 6, not a contact): a person decides whether to
-- pause, agree a plan, or send the notice by hand. Elsewhere no notice is
-- needed and gentle calls go on. A customer whose country is unknown is
-- treated as Latvian (the engine may apply the Latvian profile to them).
-- `purpose`: see docs/rules-guide.md, section 18.

-- Prevention only while the bill is not yet overdue.
local function not_yet_due(c) return c.days_overdue ~= nil and c.days_overdue <= 0 end
-- No step after the due date done yet in this case (by any segment: the
-- hold may be set in the middle of a case): the reminder is still free.
local function no_reminder_yet(c) return c.stage_day == nil or c.stage_day < 0 end
-- The notice was done in this case by another segment before the hold (a
-- stage of day 7 or more; the review below is on day 6 so as not to look like it).
local function notice_sent(c) return c.stage_day ~= nil and c.stage_day >= 7 end

local function notice_law(c) return c.country == nil or c.country == "" or c.country == "LV" end
-- Gentle calls after the reminder: where no notice is needed, or once it was sent.
local function calls_allowed(c) return not notice_law(c) or notice_sent(c) end

return {
  describe = "Vulnerable: a trained person only, gently",
  hours    = { from = "10:00", to = "18:00" },
  ladder = {
    -- a caring call before the bill is due: can we help?
    { day = -5, channel = "agent", template = "pre_due",          tone = "gentle", when = not_yet_due },
    -- the one informative reminder, by a person
    { day =  3, channel = "agent", template = "call_brief",       tone = "gentle",
      purpose = "reminder", when = no_reminder_yet },
    -- Latvia: a case manager decides what comes next (a CRM record, not a contact)
    { day =  6, channel = "crm",   template = "case_review",      tone = "gentle", when = notice_law },
    -- elsewhere (or after a notice): gentle calls by a person, informative, never formal
    { day = 14, channel = "agent", template = "instalment_offer", tone = "gentle",
      purpose = "reminder", when = calls_allowed },
    { day = 30, channel = "agent", template = "call_brief",       tone = "gentle",
      purpose = "reminder", when = calls_allowed },
    { day = 60, channel = "agent", template = "call_brief",       tone = "gentle",
      purpose = "reminder", when = calls_allowed },
  },

  -- Promise to pay not yet due: no calls until then.
  decide = function(c, ctx)
    if c.promises.pending and (c.promises.due == nil or c.promises.due >= ctx.today) then
      return { action = "wait", reason = "promise to pay pending" }
    end
    return nil
  end,
}
