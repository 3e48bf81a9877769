"""One module per verb: plain functions with typed results; no printing."""
