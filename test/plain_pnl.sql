-- test/plain_pnl.sql: the customer P&L in plain SQL, as an analyst would
-- write it without cprof (one FILTERed sum per kind, then the waterfall).
-- One definition for the regression test that checks client_profit against
-- it (sql/11_client_profit_ledger.sql) and the benchmark that times both
-- (test/bench/10_client_profit.sql).
--
-- pg_temp.plain_pnl(source, amount [, exact]) returns the query text over
-- the table source (client_id, kind, amount columns), summing the
-- expression amount.  margin is net_profit / revenue over a positive
-- revenue (NULL otherwise, the rule cprof follows); with exact => true the
-- quotient is taken to 40 decimals, then to double precision: the
-- correctly rounded margin cprof returns, for equality checks.
CREATE FUNCTION pg_temp.plain_pnl(source text, amount text, exact boolean DEFAULT false)
RETURNS text LANGUAGE sql AS $f$
SELECT format($q$
SELECT client_id, revenue, discount, cogs,
       revenue - discount - cogs AS gross_profit,
       cost_to_serve,
       revenue - discount - cogs - cost_to_serve AS contribution,
       acquisition, bad_debt,
       revenue - discount - cogs - cost_to_serve - acquisition - bad_debt AS net_profit,
       referral,
       revenue - discount - cogs - cost_to_serve - acquisition - bad_debt + referral AS total_value,
       CASE WHEN revenue > 0
            THEN ((revenue - discount - cogs - cost_to_serve - acquisition - bad_debt)%3$s / revenue)::double precision
       END AS margin,
       entries
FROM (SELECT client_id,
             coalesce(sum(%2$s) FILTER (WHERE kind = 'revenue'), 0) AS revenue,
             coalesce(sum(%2$s) FILTER (WHERE kind = 'discount'), 0) AS discount,
             coalesce(sum(%2$s) FILTER (WHERE kind = 'cogs'), 0) AS cogs,
             coalesce(sum(%2$s) FILTER (WHERE kind IN ('service', 'sales', 'commission', 'quality')), 0) AS cost_to_serve,
             coalesce(sum(%2$s) FILTER (WHERE kind = 'acquisition'), 0) AS acquisition,
             coalesce(sum(%2$s) FILTER (WHERE kind = 'bad_debt'), 0) AS bad_debt,
             coalesce(sum(%2$s) FILTER (WHERE kind = 'referral'), 0) AS referral,
             count(%2$s) AS entries
      FROM %1$s GROUP BY client_id) s$q$,
              source, amount, CASE WHEN exact THEN '::numeric(1000, 40)' ELSE '' END)
$f$;
