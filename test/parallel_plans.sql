-- test/parallel_plans.sql: included by the regression tests (\i) that
-- compare a parallel plan with a serial one.  Parallel plans cost nothing
-- here, so the planner uses them on the tests' small tables, and the leader
-- does not take part, so that every row goes through a worker's partial
-- state and the combine function.  test/parallel_plans_off.sql undoes it.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
