"""Inbound self-service: menu trees, navigation, caller input and the call flow."""
