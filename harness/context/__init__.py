"""The run context: what one harness run is (settings, declaration, window, warehouse, run id), as plain
data that running, checking and reporting read without knowing about pytest."""
