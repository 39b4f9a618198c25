"""Use cases of struggles, split by subject: each module's actions are atomic."""
