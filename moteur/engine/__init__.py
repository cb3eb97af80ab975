"""The run layer, between commands and core: the state store, and the runs that write (a sync, a migration)
and read incrementally, journalled in that store. Core stays pure; this layer does the I/O core decides."""
