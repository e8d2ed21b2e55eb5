"""Business rules: plain functions over models, raising DomainError subclasses."""
