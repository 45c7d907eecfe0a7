"""Composition root: settings, database, HTTP routers, pages and the command line."""
