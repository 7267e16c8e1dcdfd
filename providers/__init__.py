"""Dynamic Pulumi providers and API clients for Customer.io -> AEP streaming sources.

Importing this package registers nothing and opens no connection (pitfall P1): the provider
process imports these modules by reference to unpickle providers.
"""
