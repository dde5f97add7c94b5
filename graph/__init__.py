"""Reading the progress report and building the RDF graph."""
