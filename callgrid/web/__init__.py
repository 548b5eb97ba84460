"""The web side of the engine: the app factory, sign-in, roles, pages."""
