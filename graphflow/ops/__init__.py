"""Op definitions (the registry) and the public builder functions, one module per family."""
