"""The whole dataset in and out: fixture bundles imported, exported and generated."""
