"""Analysis of policies by a solver (the optional `[analysis]` extra: z3): the symbolic
encoding of the decision (`encode`) and the properties `rspl verify` proves (`verify`)."""
