"""Everything dind-doctor asks of a Docker daemon, in one place.

- errors: the tool's engine errors and the ONE adapter from docker-py errors to the user's words;
- resources: the per-run registry of what a run creates (labels, names chosen up front, refusal after
  cleanup) and the ONE cleanup of labelled resources, including the sweep of runs whose process is gone;
- probes: short-lived labelled containers; volumes: volume and image reads through helper containers;
- manifest / staleness: file manifests and how a volume differs from its image; sync: `sync-volume`.

Light on purpose: importing this package imports no docker-py (`dind-doctor --help` stays instant).
"""
