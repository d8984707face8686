-- test/pictures/waterfall.sql: the data of the company P&L waterfall, as
-- CSV for test/pictures/waterfall.gp.  One client_profit over the whole
-- ledger; each step of the waterfall is a bar from the running total before
-- it to the running total after it ("down" for costs, "up" for the referral
-- value), and each subtotal a bar from 0 ("total").  On your own ledger,
-- replace "ledger", "amount" and "kind" below (add a WHERE clause for one
-- client, a segment or a period).
\pset format csv
SELECT w.step, w.line, w.bar_from, w.bar_to, w.kind
FROM (SELECT client_profit(amount, kind) AS p FROM ledger) t,
LATERAL (VALUES
    (1, 'revenue', 0, (p).revenue, 'total'),
    (2, 'discount', (p).revenue, (p).revenue - (p).discount, 'down'),
    (3, 'cogs', (p).revenue - (p).discount, (p).gross_profit, 'down'),
    (4, 'gross profit', 0, (p).gross_profit, 'total'),
    (5, 'cost to serve', (p).gross_profit, (p).contribution, 'down'),
    (6, 'contribution', 0, (p).contribution, 'total'),
    (7, 'acquisition', (p).contribution, (p).contribution - (p).acquisition, 'down'),
    (8, 'bad debt', (p).contribution - (p).acquisition, (p).net_profit, 'down'),
    (9, 'net profit', 0, (p).net_profit, 'total'),
    (10, 'referral value', (p).net_profit, (p).total_value, 'up'),
    (11, 'total value', 0, (p).total_value, 'total')) AS w(step, line, bar_from, bar_to, kind)
ORDER BY w.step;
\pset format aligned
