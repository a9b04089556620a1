"""HTTP layer: app factory, settings, security, problem details and one router per resource."""
