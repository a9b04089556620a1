"""Persistence: SQLModel tables, repositories, the async engine and the unit of work."""
