"""Pure logic for the project checks: walking the user's project, decoding its files, tokenising
PowerShell, reading .env and compose files, and applying the safe `--fix` edits with backups."""
