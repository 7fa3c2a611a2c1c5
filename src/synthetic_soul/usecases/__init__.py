"""The use cases of the service beside the mind's own (`mind/`) and signing in (`auth/`): talking
to the agent, reading it, its memories, forgetting a user, watching a job, the service's
status. Each names the ports it uses; the HTTP routers call only these.
"""
