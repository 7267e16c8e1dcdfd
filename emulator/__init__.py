"""Local emulator of the AEP and Customer.io endpoints the product drives.

Imports nothing from the product: it is a fake remote and must not share a bug with the client.
`python -m emulator` serves it; `emulator.testing` is the admin client tests use.
"""
