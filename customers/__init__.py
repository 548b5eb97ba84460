"""Customers: accounts, meters and their readings, debts, consents — shared by the IVR,
the operators and the autoinformer."""
