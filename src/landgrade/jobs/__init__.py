"""Stage 5, jobs: a whole file streamed through the engine, in one process or on dask."""
