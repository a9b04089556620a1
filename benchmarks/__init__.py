"""Load benchmarks on a realistic volume: `python -m benchmarks.seed` builds it on PostgreSQL,
`python -m benchmarks.run` serves the API on it and drives it with wrk (see README, "Benchmarks")."""
