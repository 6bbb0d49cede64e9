"""Compiles subgraphs into execution plans and runs them."""
