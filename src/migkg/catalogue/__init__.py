"""The query catalogue (``queries/cq``): headers, typed parameters, safe binding and result output."""
