"""The phases of the week: one module per mechanism, side by side (none imports another); ``conversation`` is the
front door's interface to programmes."""
