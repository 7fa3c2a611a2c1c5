"""Settings for the whole suite."""

from hypothesis import settings

# No time limits on property tests: how long a case takes is for bench/, not a reason to
# fail (a loaded machine made cases of a correct function miss hypothesis's 200 ms default).
settings.register_profile("soul", deadline=None)
settings.load_profile("soul")
