"""Publishing: exports, the DCAT/VoID description, ontology docs and releases, and pushes to stores."""
