"""The values the command line offers as choices, in a module of their own: `dind-doctor --help` builds
every command's options from them and must import neither the model nor the renderers (issue 15)."""

# The shells a fix can be written for (the model adds "any": an edit that is the same whatever the shell).
SHELLS = ("powershell", "cmd", "gitbash", "bash")

# --format: the renderers in dind_doctor/render/.
FORMATS = ("table", "json", "sarif", "github", "junit")
# The formats that print each problem's fingerprint: the others skip computing it (and importing hashlib).
FINGERPRINTED = ("json", "sarif")

# --fail-on: the lowest status that fails the exit code. `skip` never does.
FAIL_ON = ("ok", "warn", "fail", "error")
