"""The main job: scheduler, self-monitoring, logging and the daemon that ties collectors to sinks."""
