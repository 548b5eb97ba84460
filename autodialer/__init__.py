"""The autoinformer: notification campaigns by phone, SMS and e-mail (AD-1 … AD-10)."""
