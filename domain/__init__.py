"""The Koppelwerk domain: entities, rules, policies and use cases.

Nothing in this package may import fastapi, starlette, sqlmodel, sqlalchemy or jose
(tests/unit/test_layering.py enforces it), so the rules can be tested without a web
server or a database.
"""
