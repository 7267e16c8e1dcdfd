"""Customer.io → Adobe Experience Platform streaming sources as Pulumi resources.

Installed (`pip install`), this package holds ``aep_customerio.providers`` (one dynamic resource per
remote object) and ``aep_customerio.components`` (``CustomerIoSource``). In the repository they are the
top-level ``providers/`` and ``components/`` folders, which this folder links to, so that the
program and the tests import them by the same names as an installed copy does.
"""
