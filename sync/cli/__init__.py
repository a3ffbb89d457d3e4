"""`cluedin-purview-sync`: the operator's command line (plan, apply the reviewed plan, runs, rollback, drift…)."""
