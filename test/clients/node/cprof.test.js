'use strict';
// test/clients/node/cprof.test.js: every kind of cprof result read through
// node-postgres (npm pg, pinned by package-lock.json), as an application
// would.  Run by `make test-clients` (test/clients/run.sh) against a
// throwaway cluster with cprof, the demo ledger (20,000 entries) and CDNOW;
// the connection comes from the PG* environment variables.  Expected values
// come from plain SQL in the same query, or from published estimates.
const test = require('node:test');
const assert = require('node:assert/strict');
const pg = require('pg');
const { parseRecord, registerComposites } = require('./composite');

let client;
let types; // this client's own type parsers (pg.types is left alone)

test.before(async () => {
  types = new pg.TypeOverrides();
  client = new pg.Client({ types });
  await client.connect();
});
test.after(async () => { await client.end(); });

test('numeric money arrives as strings equal to sum()', async () => {
  const { rows } = await client.query(`
    SELECT client_id, (client_profit(amount, kind)).*,
           coalesce(sum(amount) FILTER (WHERE kind = 'revenue'), 0) AS sum_revenue,
           sum(CASE WHEN kind IN ('revenue', 'referral') THEN amount ELSE -amount END)
             - coalesce(sum(amount) FILTER (WHERE kind = 'referral'), 0) AS sum_net_profit,
           count(amount) AS sum_entries
    FROM cprof_demo.ledger GROUP BY client_id ORDER BY client_id`);
  assert.equal(rows.length, 2000);
  for (const r of rows) {
    assert.equal(typeof r.net_profit, 'string');
    assert.equal(r.net_profit, r.sum_net_profit);
    assert.equal(Number(r.revenue), Number(r.sum_revenue)); // 0 may print as 0 or 0.00
    if (r.sum_revenue !== '0') assert.equal(r.revenue, r.sum_revenue);
    assert.equal(typeof r.margin, r.margin === null ? 'object' : 'number');
    assert.equal(r.entries, r.sum_entries); // bigint: a string by default
  }
});

test('exact beyond double precision', async () => {
  const { rows } = await client.query(`
    SELECT client_profit(r, c) AS cprof, sum(r) - sum(c) AS plain
    FROM (VALUES (123456789012345678.91::numeric, 0.01::numeric), (0.10, 100000000000000000.00)) t(r, c)`);
  assert.equal(rows[0].cprof, '23456789012345679.00');
  assert.equal(rows[0].cprof, rows[0].plain);
});

test('every composite expanded with (x).* into plain columns', async () => {
  const bg = (await client.query('SELECT (bgnbd_fit(frequency, recency, t)).* FROM cprof_demo.cdnow_summary')).rows[0];
  const pn = (await client.query('SELECT (pareto_nbd_fit(frequency, recency, t)).* FROM cprof_demo.cdnow_summary')).rows[0];
  const gg = (await client.query('SELECT (gamma_gamma_fit(x, zbar)).* FROM cprof_demo.cdnow_zbar')).rows[0];
  // published for CDNOW: BG/NBD (Fader, Hardie & Lee 2005), Pareto/NBD (beta
  // weakly determined: within 0.002), Gamma-Gamma
  assert.deepEqual([bg.r, bg.alpha, bg.a, bg.b].map((x) => x.toFixed(3)), ['0.243', '4.414', '0.793', '2.426']);
  assert.deepEqual([pn.r, pn.alpha, pn.s].map((x) => x.toFixed(3)), ['0.553', '10.578', '0.606']);
  assert.ok(Math.abs(pn.beta - 11.669) < 0.002);
  [[gg.p, 6.25], [gg.q, 3.74], [gg.v, 15.44]].forEach(([x, e]) => assert.ok(Math.abs(x - e) < 0.01));
  assert.deepEqual([bg.clients, pn.clients, gg.clients], ['2357', '2357', '946']);
  assert.deepEqual([bg.converged, pn.converged, gg.converged], [true, true, true]);
  const v = (await client.query(`
    SELECT (cohort_ltv(p, t, c, 0.01)).* FROM (VALUES (100.50, 12.0, true), (80.25, 3.0, false)) s(p, t, c)`)).rows[0];
  assert.deepEqual([v.clients, v.churned, v.exposure], ['2', '1', 15]);
  assert.equal(typeof v.margin, 'string');
  const h = (await client.query(`
    SELECT (rfm(purchased_on, amount, date '1997-09-30', '7 days')).*
    FROM cprof_demo.cdnow_tx WHERE sample_id = 1 AND purchased_on <= '1997-09-30'`)).rows[0];
  // the first CDNOW sample customer: x = 2, t_x = 30.43, T = 38.86 published;
  // monetary (29.73 + 14.96) / 2
  assert.deepEqual([h.frequency, h.recency.toFixed(2), h.age.toFixed(2), Number(h.monetary)], [2, '30.43', '38.86', 22.345]);
  assert.ok(h.first_purchase instanceof Date); // date columns: a Date, unlike inside a composite
});

test('a composite arrives as its text form unless a parser is registered', async () => {
  const { rows } = await client.query(`
    SELECT client_profit(amount, kind) AS p FROM (VALUES (100.00, 'revenue'), (40, 'cogs')) t(amount, kind)`);
  assert.equal(rows[0].p, '(100.00,0,40,60.00,0,60.00,0,0,60.00,0,60.00,0.6,2)');
  assert.deepEqual(parseRecord('(1,,"a ""b"", c","\\\\","")'), ['1', null, 'a "b", c', '\\', '']);
});

test('registered composites: profit, cohort_value, rfm and the models', async () => {
  await registerComposites(client, types, ['profit', 'cohort_value', 'rfm', 'bgnbd', 'pareto_nbd', 'gamma_gamma']);
  const pnl = await client.query(`
    SELECT client_profit(amount, kind) AS p, coalesce(sum(amount) FILTER (WHERE kind = 'revenue'), 0) AS revenue,
           count(*) AS entries
    FROM cprof_demo.ledger GROUP BY client_id ORDER BY client_id`);
  for (const { p, revenue, entries } of pnl.rows) {
    assert.equal(typeof p, 'object');
    assert.equal(Number(p.revenue), Number(revenue));
    assert.equal(p.entries, entries);
    assert.equal(typeof p.margin, p.margin === null ? 'object' : 'number');
  }
  const arr = await client.query(`
    SELECT array_agg(p ORDER BY client_id) AS ps
    FROM (SELECT client_id, client_profit(amount, kind) AS p FROM cprof_demo.ledger
          WHERE client_id <= 3 GROUP BY client_id) s`);
  assert.equal(arr.rows[0].ps.length, 3);
  assert.equal(typeof arr.rows[0].ps[0].net_profit, 'string');

  const models = await client.query(`
    SELECT bgnbd_fit(frequency, recency, t) AS bg, pareto_nbd_fit(frequency, recency, t) AS pn,
           (SELECT gamma_gamma_fit(x, zbar) FROM cprof_demo.cdnow_zbar) AS gg
    FROM cprof_demo.cdnow_summary`);
  const { bg, pn, gg } = models.rows[0];
  // Fader, Hardie & Lee (2005): r, alpha, a, b = 0.243, 4.414, 0.793, 2.426; p, q, v = 6.25, 3.74, 15.44
  assert.deepEqual([bg.r, bg.alpha, bg.a, bg.b].map((x) => x.toFixed(3)), ['0.243', '4.414', '0.793', '2.426']);
  assert.equal(bg.converged, true);
  assert.equal(bg.clients, '2357');
  [[gg.p, 6.25], [gg.q, 3.74], [gg.v, 15.44]].forEach(([x, e]) => assert.ok(Math.abs(x - e) < 0.01, `${x} vs ${e}`));
  assert.equal(typeof pn.s, 'number');

  // a model object sent back as a parameter, written as a record literal:
  // the same predictions as the model kept in SQL
  const literal = (m, fields) => `(${fields.map((f) => String(m[f])).join(',')})`;
  const back = await client.query(`
    SELECT bgnbd_p_alive($1::bgnbd, 2, 30.43, 38.86) AS from_param,
           (SELECT bgnbd_p_alive(bgnbd_fit(frequency, recency, t), 2, 30.43, 38.86) FROM cprof_demo.cdnow_summary) AS in_sql,
           clv($1::bgnbd, $2::gamma_gamma, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345) AS clv`,
    [literal(bg, ['r', 'alpha', 'a', 'b', 'log_likelihood', 'clients', 'converged']),
     literal(gg, ['p', 'q', 'v', 'log_likelihood', 'clients', 'converged'])]);
  assert.equal(back.rows[0].from_param, back.rows[0].in_sql);
  assert.equal(typeof back.rows[0].clv, 'number');

  const cohort = await client.query(`
    SELECT cohort_ltv(p, t, c, 0.01) AS v FROM (VALUES (100.50, 12.0, true), (80.25, 3.0, false)) s(p, t, c)`);
  const v = cohort.rows[0].v;
  assert.equal(v.clients, '2');
  assert.equal(v.churned, '1');
  assert.equal(v.exposure, 15);
  // hazard = churned / exposure = 1/15 a period; churn_rate = 1 - exp(-hazard)
  assert.ok(Math.abs(v.churn_rate - (1 - Math.exp(-1 / 15))) < 1e-15);
  assert.equal(typeof v.ltv, 'string');

  const rfm = await client.query(`
    SELECT rfm(purchased_on, amount, date '1997-09-30', '7 days') AS h
    FROM cprof_demo.cdnow_tx WHERE sample_id = 1 AND purchased_on <= '1997-09-30'`);
  const h = rfm.rows[0].h;
  // the first CDNOW sample customer: published x = 2, t_x = 30.43, T = 38.86, zbar = 22.35,
  // the mean of its two repeat purchases, (29.73 + 14.96) / 2 = 22.345 (rounded half up)
  assert.equal(h.frequency, 2);
  assert.equal(h.recency.toFixed(2), '30.43');
  assert.equal(h.age.toFixed(2), '38.86');
  assert.equal(typeof h.monetary, 'string');
  assert.equal(Number(h.monetary), 22.345);
  assert.equal(h.first_purchase, '1997-01-01');
});

test('arrays arrive as JavaScript arrays of numbers', async () => {
  const { rows } = await client.query(`
    SELECT pareto_share(v, '{0.1, 0.2, 0.5}'::float8[]) AS shares, pareto_curve(v, 4) AS curve
    FROM (VALUES (10), (5), (3), (1), (1)) AS t(v)`);
  // by hand: total 20; the top half is 2.5 clients: (10 + 5 + 0.5 x 3) / 20
  assert.deepEqual(rows[0].shares, [0.25, 0.5, 0.825]);
  assert.deepEqual(rows[0].curve, [0, 0.5625, 0.825, 0.9375, 1]);
});

test('window functions: one value per row', async () => {
  const abc = await client.query(`
    SELECT v, pareto_class(v) OVER () AS abc FROM (VALUES (10), (5), (3), (1), (1)) AS t(v) ORDER BY v DESC`);
  assert.deepEqual(abc.rows.map((r) => r.abc), ['A', 'A', 'A', 'B', 'B']);
  const trend = await client.query(`
    SELECT (p).net_profit AS month, (client_profit(p) OVER w).net_profit AS trailing,
           sum((p).net_profit) OVER w AS plain
    FROM (SELECT date_trunc('month', booked_on) AS month, client_profit(amount, kind) AS p
          FROM cprof_demo.ledger WHERE client_id = 42 GROUP BY 1) m
    WINDOW w AS (ORDER BY month ROWS 2 PRECEDING) ORDER BY month`);
  assert.ok(trend.rows.length > 3);
  for (const r of trend.rows) assert.equal(r.trailing, r.plain);
});

test('bigint counts as BigInt, on request', async () => {
  const own = new pg.TypeOverrides();
  own.setTypeParser(20, BigInt);
  const { rows } = await client.query({
    text: 'SELECT (client_profit(amount, kind)).entries FROM cprof_demo.ledger',
    types: own,
  });
  assert.equal(rows[0].entries, 20000n);
});
