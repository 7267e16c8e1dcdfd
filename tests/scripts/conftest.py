"""The scripts drive stacks built by the real engine: reuse the program tests' stack factory."""

from tests.program.conftest import program_stack

__all__ = ["program_stack"]
