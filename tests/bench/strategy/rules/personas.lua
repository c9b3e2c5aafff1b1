-- tests/bench/strategy/rules/personas.lua — the benchmark input gives each
-- customer's persona; it does not have to be worked out from behaviour.
--
-- The rules cannot read dn_facts.persona (c.persona is false while
-- classify runs, docs/rules-guide.md section 4), so the benchmark loader
-- (tests/bench/bench_strategy.c) carries the given persona in the
-- customer's name, and classify returns it. The engine itself checks that
-- the result is one of the four personas.

return {
  classify = function(c)
    return c.name
  end,
}
