"""What every service shares: options and knobs, the store, ids, error shapes, the HTTP plumbing
(router, gateway, faults, rate limit, request log), JSON Patch, XDM trees and the admin API.

Nothing here imports a service package; services import from here and talk to each other only
through the protocols in `emulator.core.interfaces`, wired by `emulator.app`.
"""
