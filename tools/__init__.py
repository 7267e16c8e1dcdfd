"""Project tooling that is not the product: the real-engine harness, the language host."""
