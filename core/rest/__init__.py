"""What every resource of the public API shares: one base viewset and its parts."""
