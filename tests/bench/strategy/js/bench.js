// tests/bench/strategy/js/bench.js — the reference strategy
// (/work/shared/bench/strategy.md) as json-rules-engine 7 rules, timed over
// the same customers as dunningd (tests/bench/compare.sh).
//
//   node bench.js CSV [RUNS]        (RUNS default 3)
//
// Each of the seven rules becomes one or more json-rules-engine rules (a
// rule's event is fixed, so every branch of a rule is a rule of its own);
// priorities keep the strategy's order, and the first rule that succeeds
// stops the engine, so "the first that applies decides". Reading the CSV
// and building the facts is not timed; engine.run() for every customer is.
// Output: the same lines as bench_strategy.c ("rate N", "median N",
// "count ACTION TONE TEMPLATE LANGUAGE N").
'use strict';

const fs = require('fs');
const { Engine } = require('json-rules-engine');

const fact = (name, operator, value) => ({ fact: name, operator, value });
const between = (name, low, high) => [fact(name, 'greaterThanInclusive', low),
  fact(name, 'lessThanInclusive', high)];
const decision = (action, tone, template) => ({ type: 'decision', params: { action, tone, template } });

// The strategy, first rule first. Higher priority runs first in json-rules-engine.
const strategy = [
  // 1. a promise to pay is pending → wait
  { all: [fact('promise_pending', 'equal', 1)], event: decision('wait', 'none', 'none') },
  // 2. just before the due date, unless invisible
  { all: [...between('days_overdue', -3, -1), fact('persona', 'notEqual', 'invisible')],
    event: decision('sms', 'friendly', 'pre_due') },
  // 3. the first week: e-mail, else SMS
  { all: [...between('days_overdue', 1, 6), fact('has_email', 'equal', 1)],
    event: decision('email', 'friendly', 'overdue_1') },
  { all: between('days_overdue', 1, 6), event: decision('sms', 'friendly', 'overdue_1') },
];
// 4. the second week: voice for 60+ with a phone, chat under 35, else SMS;
//    firm after a broken promise, neutral otherwise
for (const [channel, extra] of [
  ['voice', [fact('has_phone', 'equal', 1), fact('age', 'greaterThanInclusive', 60)]],
  ['chat', [fact('has_chat', 'equal', 1), fact('age', 'lessThan', 35)]],
  ['sms', []]]) {
  strategy.push({ all: [...between('days_overdue', 7, 13), ...extra,
    fact('broken_promises', 'greaterThan', 0)], event: decision(channel, 'firm', 'overdue_2') });
  strategy.push({ all: [...between('days_overdue', 7, 13), ...extra],
    event: decision(channel, 'neutral', 'overdue_2') });
}
strategy.push(
  // 5. two weeks to a month: a person for fighters, else SMS
  { all: [...between('days_overdue', 14, 29), fact('persona', 'equal', 'fighter')],
    event: decision('agent', 'firm', 'overdue_3') },
  { all: between('days_overdue', 14, 29), event: decision('sms', 'firm', 'overdue_3') },
  // 6. a month and more: a person when 50.00 or more is owed, else SMS
  { all: [fact('days_overdue', 'greaterThanInclusive', 30),
    fact('balance_cents', 'greaterThanInclusive', 5000)], event: decision('agent', 'urgent', 'final') },
  { all: [fact('days_overdue', 'greaterThanInclusive', 30)], event: decision('sms', 'firm', 'final') },
  // 7. otherwise → wait
  { all: [], event: decision('wait', 'none', 'none') });

function buildEngine() {
  const engine = new Engine([], { allowUndefinedFacts: false });
  strategy.forEach((rule, i) => engine.addRule({
    name: `rule-${i + 1}`, priority: strategy.length - i,
    conditions: { all: rule.all }, event: rule.event,
  }));
  engine.on('success', () => engine.stop());   // first that applies decides
  return engine;
}

function loadFacts(path) {
  const lines = fs.readFileSync(path, 'utf8').split('\n');
  if (!lines[0].startsWith('id,days_overdue,')) throw new Error(`${path}: not the strategy's CSV`);
  const facts = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '') continue;
    const f = line.split(',');
    if (f.length !== 11) throw new Error(`${path}:${i + 1}: malformed row`);
    facts.push({
      id: Number(f[0]), days_overdue: Number(f[1]), balance_cents: Number(f[2]), persona: f[3],
      language: f[4], age: Number(f[5]), promise_pending: Number(f[6]),
      broken_promises: Number(f[7]), has_phone: Number(f[8]), has_email: Number(f[9]),
      has_chat: Number(f[10]),
    });
  }
  return facts;
}

async function runOnce(engine, facts, results) {
  const begin = process.hrtime.bigint();
  for (let i = 0; i < facts.length; i++) {
    const { events } = await engine.run(facts[i]);
    results[i] = { event: events[0], language: facts[i].language || 'lv' };
  }
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  return facts.length / seconds;
}

function countOutcomes(results) {
  const counts = new Map();
  for (const { event, language } of results) {
    if (!event) throw new Error('a customer got no decision');
    const p = event.params;
    const key = `${p.action} ${p.tone} ${p.template} ${language}`;
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return counts;
}

async function main() {
  const [path, runsText] = process.argv.slice(2);
  const runs = runsText ? Number(runsText) : 3;
  if (!path || !Number.isInteger(runs) || runs < 1) {
    process.stderr.write('usage: node bench.js CSV [RUNS]\n');
    process.exit(2);
  }
  const facts = loadFacts(path);
  const engine = buildEngine();
  const results = new Array(facts.length);
  const version = require('json-rules-engine/package.json').version;
  console.log(`# json-rules-engine ${version}, node ${process.versions.node}, ${facts.length} customers`);
  const rates = [];
  let first = null;
  for (let run = 0; run < runs; run++) {
    rates.push(await runOnce(engine, facts, results));
    const counts = [...countOutcomes(results)].sort().join('\n');
    if (first === null) first = counts;
    else if (counts !== first) throw new Error(`run ${run + 1} decided differently from run 1`);
  }
  rates.forEach((r) => console.log(`rate ${Math.round(r)}`));
  const sorted = [...rates].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  console.log(`median ${Math.round(median)}`);
  for (const [key, n] of countOutcomes(results)) console.log(`count ${key} ${n}`);
}

main().catch((e) => { process.stderr.write(`bench.js: ${e.stack || e}\n`); process.exit(1); });
