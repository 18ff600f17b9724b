"""The foundation every app stands on: upload validation, the API error format, schema hooks,
middleware, decorators and error pages. It imports no app of the project."""
