"""What each nesting level really sees: the project's compose model, named volumes and their content,
bind-mount sources translated to the daemon's side, and the level-by-level walk (`dind-doctor levels`).

Pure logic (manifests, naming, translation, rendering) is kept apart from the modules that call the daemon,
so that it is unit-tested without an engine.
"""
