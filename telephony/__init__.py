"""The telephony boundary: the only code that speaks FastAGI and AMI.

Everything above it sees typed calls (:class:`telephony.agi.AgiCall`) and typed AMI
actions and events, never a raw protocol line.
"""
