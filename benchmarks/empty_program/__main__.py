"""Declares no resource: `pulumi up` of this program measures the CLI, language host and program start."""
