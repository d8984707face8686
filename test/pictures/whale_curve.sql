-- test/pictures/whale_curve.sql: the data of the whale curve, as CSV for
-- test/pictures/whale_curve.gp.  One P&L per client (client_profit), then
-- pareto_curve at 100 points: the share of the total net profit earned by
-- the most profitable x% of the clients, x = 0, 1, ..., 100, and beside it
-- the same curve for revenue (clients ranked by revenue).  On your own
-- ledger, replace "ledger", "client_id", "amount" and "kind" below.
\pset format csv
SELECT u.j - 1 AS percent_of_clients,
       round(u.profit::numeric * 100, 3) AS percent_of_profit,
       round(u.revenue::numeric * 100, 3) AS percent_of_revenue
FROM (SELECT pareto_curve((p).net_profit, 100) AS profit, pareto_curve((p).revenue, 100) AS revenue
      FROM (SELECT client_id, client_profit(amount, kind) AS p FROM ledger GROUP BY client_id) per_client) c,
     unnest(c.profit, c.revenue) WITH ORDINALITY AS u(profit, revenue, j)
ORDER BY u.j;
\pset format aligned
