"""test/clients/test_psycopg.py: every kind of cprof result read through
psycopg 3 (Debian's python3-psycopg), as an application would.

Run by `make test-clients` (test/clients/run.sh) against a throwaway cluster
holding cprof, the demo ledger (cprof_demo.ledger, 20,000 entries) and the
CDNOW data (cprof_demo.cdnow_*); the connection comes from the PG*
environment variables.  Expected values come from plain SQL in the same
query (sum(), count()) or are recomputed here in Python from the raw rows
with exact fractions.
"""
import datetime
import math
import unittest
from decimal import Decimal
from fractions import Fraction

import psycopg
from psycopg.types.composite import CompositeInfo, register_composite

# per client: cprof's P&L beside the plain sums of the same rows
PNL_QUERY = """
    SELECT client_id, (client_profit(amount, kind)).*,
           sum(amount) FILTER (WHERE kind = 'revenue') AS sum_revenue,
           sum(amount) FILTER (WHERE kind IN ('service', 'sales', 'commission', 'quality')) AS sum_cost_to_serve,
           sum(CASE WHEN kind IN ('revenue', 'referral') THEN amount ELSE -amount END)
               - coalesce(sum(amount) FILTER (WHERE kind = 'referral'), 0) AS sum_net_profit,
           count(amount) AS sum_entries
    FROM cprof_demo.ledger GROUP BY client_id ORDER BY client_id"""


def money(value):
    """A Decimal as PostgreSQL prints it: equal value and equal scale."""
    return (value, value.as_tuple().exponent)


class CprofTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.conn = psycopg.connect(autocommit=True)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()

    def register(self, conn, *names):
        for name in names:
            register_composite(CompositeInfo.fetch(conn, name), conn)


class ExpandedColumns(CprofTestCase):
    """(x).* expands a composite into plain columns of ordinary types."""

    def test_profit_expanded_is_exact(self):
        for binary in (False, True):
            with self.conn.cursor(binary=binary) as cur:
                cur.execute(PNL_QUERY)
                names = [d.name for d in cur.description]
                rows = cur.fetchall()
            self.assertEqual(len(rows), 2000)
            for row in rows:
                r = dict(zip(names, row))
                for field in ("revenue", "discount", "cogs", "gross_profit", "cost_to_serve",
                              "contribution", "acquisition", "bad_debt", "net_profit",
                              "referral", "total_value"):
                    self.assertIsInstance(r[field], Decimal, field)
                self.assertIsInstance(r["margin"], (float, type(None)))
                self.assertIsInstance(r["entries"], int)
                self.assertEqual(money(r["revenue"]), money(r["sum_revenue"] or Decimal("0")))
                self.assertEqual(r["cost_to_serve"], r["sum_cost_to_serve"] or 0)
                self.assertEqual(r["net_profit"], r["sum_net_profit"])
                self.assertEqual(r["entries"], r["sum_entries"])
                if r["revenue"] > 0:
                    # margin is the correctly rounded quotient: the float
                    # nearest the exact ratio of the two Decimals (it is
                    # empty when revenue <= 0)
                    exact = Fraction(r["net_profit"]) / Fraction(r["revenue"])
                    self.assertEqual(r["margin"], float(exact))

    def test_money_beyond_double_precision(self):
        # 21 significant digits: a double would round them
        with self.conn.cursor() as cur:
            cur.execute("""SELECT client_profit(r, c), sum(r) - sum(c)
                           FROM (VALUES (123456789012345678.91::numeric, 0.01::numeric),
                                        (0.10, 100000000000000000.00)) t(r, c)""")
            got, plain = cur.fetchone()
        self.assertEqual(got, Decimal("23456789012345679.00"))
        self.assertEqual(money(got), money(plain))

    def test_float_results_and_integer_counts(self):
        with self.conn.cursor() as cur:
            cur.execute("""SELECT (client_profit(amount_f, kind)).net_profit, expected_tenure(0.97::float8),
                                  ltv(100.00, 0.9::float8, 0.1::float8), ltv(100::float8, 0.9::float8)
                           FROM cprof_demo.ledger WHERE client_id = 7""")
            net, tenure, ltv_numeric, ltv_float = cur.fetchone()
        self.assertIsInstance(net, Decimal)  # the waterfall of double amounts is numeric too
        self.assertAlmostEqual(tenure, 1 / 0.03, places=12)
        # m / (1 + d - r) = 100 / 0.2 (ltv of numeric margin is numeric)
        self.assertIsInstance(ltv_numeric, Decimal)
        self.assertEqual(ltv_numeric, Decimal(500))
        self.assertAlmostEqual(ltv_float, 1000.0, places=9)

    def test_concentration_against_python(self):
        with self.conn.cursor() as cur:
            cur.execute("SELECT sum(amount) FROM cprof_demo.cdnow_tx GROUP BY customer_id")
            spend = sorted((v for (v,) in cur.fetchall()), reverse=True)
            cur.execute("""SELECT pareto_share(spend), pareto_share(spend, '{0.1, 0.5}'::float8[]),
                                  pareto_curve(spend, 4), gini(spend), top_share(spend, 10)
                           FROM (SELECT sum(amount) AS spend FROM cprof_demo.cdnow_tx GROUP BY customer_id) s""")
            share20, shares, curve, gini, top10 = cur.fetchone()
        total = sum(Fraction(v) for v in spend)
        n = len(spend)

        def share(f):
            # L(f): the top f*n clients, the one that straddles f counted pro rata
            t = Fraction(f) * n
            k = int(t)
            return (sum(Fraction(v) for v in spend[:k]) + (t - k) * (Fraction(spend[k]) if k < n else 0)) / total

        self.assertIsInstance(share20, float)
        self.assertAlmostEqual(share20, float(share(Fraction(1, 5))), places=12)
        self.assertIsInstance(shares, list)
        self.assertEqual(len(shares), 2)
        self.assertAlmostEqual(shares[0], float(share(Fraction(1, 10))), places=12)
        self.assertAlmostEqual(shares[1], float(share(Fraction(1, 2))), places=12)
        self.assertEqual([round(x, 12) for x in curve],
                         [round(float(share(Fraction(i, 4))), 12) for i in range(5)])
        asc = sorted(spend)
        g = 2 * sum((i + 1) * Fraction(v) for i, v in enumerate(asc)) / (n * total) - Fraction(n + 1, n)
        self.assertAlmostEqual(gini, float(g), places=12)
        self.assertAlmostEqual(top10, float(sum(Fraction(v) for v in spend[:10]) / total), places=12)

    def test_window_function_rows(self):
        with self.conn.cursor() as cur:
            cur.execute("""SELECT v, pareto_class(v) OVER () FROM (VALUES (10), (5), (3), (1), (1)) t(v)
                           ORDER BY v DESC""")
            rows = cur.fetchall()
            cur.execute("""SELECT client_id, (p).net_profit,
                                  (client_profit(p) OVER w).net_profit AS trailing
                           FROM (SELECT client_id, date_trunc('month', booked_on) AS month,
                                        client_profit(amount, kind) AS p
                                 FROM cprof_demo.ledger WHERE client_id = 42 GROUP BY 1, 2) m
                           WINDOW w AS (ORDER BY month ROWS 2 PRECEDING) ORDER BY month""")
            trend = cur.fetchall()
        self.assertEqual(rows, [(10, "A"), (5, "A"), (3, "A"), (1, "B"), (1, "B")])
        months = [net for _, net, _ in trend]
        for i, (_, _, trailing) in enumerate(trend):
            self.assertIsInstance(trailing, Decimal)
            self.assertEqual(trailing, sum(months[max(0, i - 2):i + 1]))

    def test_cohort_value_and_rfm_expanded(self):
        with self.conn.cursor() as cur:
            cur.execute("""SELECT (cohort_ltv(p, t, c, 0.01)).*
                           FROM (VALUES (100.50, 12.0, true), (80.25, 3.0, false)) v(p, t, c)""")
            row = cur.fetchone()
            names = [d.name for d in cur.description]
            cur.execute("""SELECT (rfm(purchased_on, amount, date '1997-09-30', '7 days')).*
                           FROM cprof_demo.cdnow_tx WHERE sample_id = 1 AND purchased_on <= '1997-09-30'""")
            r = dict(zip([d.name for d in cur.description], cur.fetchone()))
        c = dict(zip(names, row))
        self.assertEqual((c["clients"], c["churned"]), (2, 1))
        self.assertAlmostEqual(c["exposure"], 15.0)
        # hazard = churned / exposure = 1/15 a period; churn_rate = 1 - exp(-hazard)
        self.assertAlmostEqual(c["churn_rate"], 1 - math.exp(-1 / 15), places=15)
        self.assertIsInstance(c["margin"], Decimal)
        self.assertIsInstance(c["ltv"], Decimal)
        # the first CDNOW sample customer: published x = 2, t_x = 30.43, T = 38.86, zbar = 22.35,
        # the mean of its two repeat purchases, (29.73 + 14.96) / 2 = 22.345 (rounded half up)
        self.assertEqual(r["frequency"], 2)
        self.assertEqual(round(r["recency"], 2), 30.43)
        self.assertEqual(round(r["age"], 2), 38.86)
        self.assertEqual(r["monetary"], Decimal("22.345"))
        self.assertIsInstance(r["first_purchase"], datetime.date)


    def test_models_expanded(self):
        with self.conn.cursor() as cur:
            fits = {}
            for name, query in (
                    ("bgnbd", "SELECT (bgnbd_fit(frequency, recency, t)).* FROM cprof_demo.cdnow_summary"),
                    ("pareto_nbd", "SELECT (pareto_nbd_fit(frequency, recency, t)).* FROM cprof_demo.cdnow_summary"),
                    ("gamma_gamma", "SELECT (gamma_gamma_fit(x, zbar)).* FROM cprof_demo.cdnow_zbar")):
                cur.execute(query)
                fits[name] = dict(zip([d.name for d in cur.description], cur.fetchone()))
        for fit in fits.values():
            self.assertIsInstance(fit["log_likelihood"], float)
            self.assertIsInstance(fit["clients"], int)
            self.assertIs(fit["converged"], True)
        bg, pn, gg = fits["bgnbd"], fits["pareto_nbd"], fits["gamma_gamma"]
        # published for CDNOW: BG/NBD r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
        # (Fader, Hardie & Lee 2005); Pareto/NBD r, alpha, s = 0.553, 10.578,
        # 0.606, beta 11.669 (weakly determined: within 0.002); Gamma-Gamma
        # p, q, v = 6.25, 3.74, 15.44
        self.assertEqual([round(bg[k], 3) for k in ("r", "alpha", "a", "b")], [0.243, 4.414, 0.793, 2.426])
        self.assertEqual([round(pn[k], 3) for k in ("r", "alpha", "s")], [0.553, 10.578, 0.606])
        self.assertLess(abs(pn["beta"] - 11.669), 0.002)
        for k, published in (("p", 6.25), ("q", 3.74), ("v", 15.44)):
            self.assertLess(abs(gg[k] - published), 0.01)
        self.assertEqual((bg["clients"], pn["clients"], gg["clients"]), (2357, 2357, 946))


class RegisteredComposites(CprofTestCase):
    """register_composite: a composite arrives as a Python object with typed
    attributes, in text and binary, and goes back as a parameter."""

    def setUp(self):
        self.register(self.conn, "profit", "cohort_value", "rfm", "bgnbd", "pareto_nbd", "gamma_gamma")

    def test_profit_object_text_and_binary(self):
        for binary in (False, True):
            with self.conn.cursor(binary=binary) as cur:
                cur.execute("""SELECT client_profit(amount, kind) AS p,
                                      sum(amount) FILTER (WHERE kind = 'revenue') AS revenue,
                                      count(*) AS entries
                               FROM cprof_demo.ledger GROUP BY client_id ORDER BY client_id""")
                rows = cur.fetchall()
            self.assertEqual(len(rows), 2000)
            for p, revenue, entries in rows:
                self.assertEqual(type(p).__name__, "profit")
                self.assertIsInstance(p.net_profit, Decimal)
                self.assertEqual(money(p.revenue), money(revenue or Decimal(0)))
                self.assertEqual(p.entries, entries)
                self.assertEqual(p.gross_profit, p.revenue - p.discount - p.cogs)
                self.assertEqual(p.total_value, p.net_profit + p.referral)

    def test_profit_objects_as_parameters(self):
        # per-client P&Ls fetched as objects, sent back as profit[] and rolled
        # up by client_profit(profit): the same as aggregating the ledger
        with self.conn.cursor() as cur:
            cur.execute("SELECT client_profit(amount, kind) FROM cprof_demo.ledger GROUP BY client_id")
            pnls = [p for (p,) in cur.fetchall()]
            cur.execute("SELECT client_profit(p) FROM unnest(%s::profit[]) AS p", (pnls,))
            (rolled,) = cur.fetchone()
            cur.execute("SELECT client_profit(amount, kind) FROM cprof_demo.ledger")
            (direct,) = cur.fetchone()
        self.assertEqual(rolled, direct)
        self.assertEqual(direct.entries, 20000)

    def test_arrays_of_composites(self):
        with self.conn.cursor() as cur:
            cur.execute("""SELECT array_agg(p ORDER BY client_id)
                           FROM (SELECT client_id, client_profit(amount, kind) AS p
                                 FROM cprof_demo.ledger WHERE client_id <= 3 GROUP BY client_id) s""")
            (arr,) = cur.fetchone()
        self.assertIsInstance(arr, list)
        self.assertEqual(len(arr), 3)
        self.assertTrue(all(type(p).__name__ == "profit" for p in arr))

    def test_models_round_trip(self):
        with self.conn.cursor() as cur:
            cur.execute("SELECT bgnbd_fit(frequency, recency, t) FROM cprof_demo.cdnow_summary")
            (bg,) = cur.fetchone()
            cur.execute("SELECT gamma_gamma_fit(x, zbar) FROM cprof_demo.cdnow_zbar")
            (gg,) = cur.fetchone()
            cur.execute("SELECT pareto_nbd_fit(frequency, recency, t) FROM cprof_demo.cdnow_summary")
            (pn,) = cur.fetchone()
            # the objects as parameters give what the SQL-side models give
            cur.execute("""SELECT bgnbd_p_alive(%s, 2, 30.43, 38.86), clv(%s, %s, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345),
                                  pareto_nbd_expected_purchases(%s, 39)""", (bg, bg, gg, pn))
            from_params = cur.fetchone()
            cur.execute("""SELECT bgnbd_p_alive(b, 2, 30.43, 38.86), clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345),
                                  pareto_nbd_expected_purchases(p, 39)
                           FROM (SELECT bgnbd_fit(frequency, recency, t) b, pareto_nbd_fit(frequency, recency, t) p
                                 FROM cprof_demo.cdnow_summary) m,
                                (SELECT gamma_gamma_fit(x, zbar) g FROM cprof_demo.cdnow_zbar) n""")
            in_sql = cur.fetchone()
        # Fader, Hardie & Lee (2005): r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
        self.assertEqual(type(bg).__name__, "bgnbd")
        self.assertEqual((round(bg.r, 3), round(bg.alpha, 3), round(bg.a, 3), round(bg.b, 3)),
                         (0.243, 4.414, 0.793, 2.426))
        self.assertIs(bg.converged, True)
        self.assertEqual(bg.clients, 2357)
        for got, published in ((gg.p, 6.25), (gg.q, 3.74), (gg.v, 15.44)):
            self.assertLess(abs(got - published), 0.01)
        self.assertEqual(gg.clients, 946)
        self.assertEqual(type(pn).__name__, "pareto_nbd")
        self.assertIsInstance(pn.s, float)
        # floats travel as text with all their digits, so the round trip is exact
        self.assertEqual(from_params, in_sql)

    def test_cohort_value_and_rfm_objects(self):
        with self.conn.cursor(binary=True) as cur:
            cur.execute("""SELECT segment, cohort_ltv((p).net_profit,
                                   (coalesce(churned_on, date '2025-12-31') - acquired_on) / 30.4375,
                                   churned_on IS NOT NULL, 0.01)
                           FROM (SELECT client_id, client_profit(amount, kind) AS p FROM cprof_demo.ledger
                                 GROUP BY client_id) l JOIN cprof_demo.clients USING (client_id)
                           GROUP BY segment ORDER BY segment""")
            cohorts = cur.fetchall()
            cur.execute("""SELECT sample_id, rfm(purchased_on, amount, date '1997-09-30', '7 days')
                           FROM cprof_demo.cdnow_tx WHERE purchased_on <= '1997-09-30'
                           GROUP BY sample_id ORDER BY sample_id""")
            histories = cur.fetchall()
            cur.execute("SELECT id, frequency, recency, t FROM cprof_demo.cdnow_summary ORDER BY id")
            published = cur.fetchall()
        self.assertEqual(sum(c.clients for _, c in cohorts), 2000)
        self.assertTrue(all(isinstance(c.ltv, Decimal) for _, c in cohorts))
        self.assertEqual(len(histories), 2357)
        for (sid, h), (pid, x, t_x, t) in zip(histories, published):
            self.assertEqual(sid, pid)
            self.assertEqual(h.frequency, x)
            self.assertEqual(round(h.recency, 2), round(t_x, 2))
            self.assertEqual(round(h.age, 2), round(t, 2))
            self.assertIsInstance(h.last_purchase, datetime.date)


class ReportingViews(CprofTestCase):
    """The pattern for BI tools: a view that expands the composites."""

    def test_view_of_plain_columns(self):
        with self.conn.cursor() as cur:
            cur.execute("""CREATE TEMP VIEW client_pnl AS
                           SELECT client_id, (client_profit(amount, kind)).*
                           FROM cprof_demo.ledger GROUP BY client_id""")
            cur.execute("""SELECT a.attname, format_type(a.atttypid, a.atttypmod)
                           FROM pg_attribute a WHERE a.attrelid = 'client_pnl'::regclass AND a.attnum > 0
                           ORDER BY a.attnum""")
            columns = cur.fetchall()
            cur.execute("SELECT sum(net_profit), sum(entries) FROM client_pnl")
            net, entries = cur.fetchone()
            cur.execute("SELECT (client_profit(amount, kind)).net_profit FROM cprof_demo.ledger")
            (direct,) = cur.fetchone()
        types = dict(columns)
        self.assertEqual(types["net_profit"], "numeric")
        self.assertEqual(types["margin"], "double precision")
        self.assertEqual(types["entries"], "bigint")
        self.assertEqual(net, direct)
        self.assertEqual(entries, 20000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
