"""Signed webhooks (docs/api.md "Webhooks"): endpoints choose events; a job's end writes one
delivery row per endpoint in the same transaction (events.py); a sender loop in each worker
process claims due deliveries with a lease and posts them, signed per Standard Webhooks
(signing.py), to an address checked at connect time (sender.py), retrying on the spec's
schedule (schedule.py)."""
