"""Request and response models, one module per resource; never the storage tables."""
