"""What each nesting level really sees: the level-by-level walk (`dind-doctor levels`), its observation
scripts and matrix rows, and bind-mount sources translated to the daemon's side.

Everything asked of the daemon (volumes, manifests, staleness, sync) lives in dind_doctor/engine/; the
matrix and the rows are pure, unit-tested without an engine.
"""
