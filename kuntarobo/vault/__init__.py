"""The vault: named values and credentials of a municipality's robots, secrets encrypted at rest."""
