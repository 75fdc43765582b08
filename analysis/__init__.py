"""Reading a results store and drawing comparison reports."""
