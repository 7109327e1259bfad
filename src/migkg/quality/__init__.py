"""Quality: SHACL validation of the records and the whole-graph check queries."""
